//! State tracing: which states generated futures went through.

use core::task::{Context, Poll};

use crate::private::States;

/// Whether tracing is on. Checked on every poll of a generated future: must stay one relaxed
/// atomic load.
#[inline(always)]
pub(crate) fn enabled() -> bool {
    false
}

/// A poll of a generated future with tracing on: runs the step and records the transition.
#[cold]
pub(crate) fn traced_poll<S: States, T>(
    state: &mut S,
    step: &mut impl FnMut(&mut S, &mut Context<'_>) -> Poll<T>,
    cx: &mut Context<'_>,
) -> Poll<T> {
    crate::private::poll_step(state, step, cx)
}
