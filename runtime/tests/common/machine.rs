//! Hand-lowered state machines, written the way `#[state_machine]` lowers an async fn, to drive
//! the tracing hooks without depending on the macro.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use awaitgraph::__private::{Machine, States, resumed_after_completion, resumed_after_panicking};
use awaitgraph::future::YieldNow;

/// The states of:
/// ```ignore
/// async fn count_yields(n: u32) -> u32 {
///     let mut i = 0;
///     while i < n { yield_now().await; i += 1; }
///     i
/// }
/// ```
pub enum CountYields {
    Unresumed { n: u32 },
    Suspend0 { awaitee: YieldNow, i: u32, n: u32 },
    Returned,
    Panicked,
}

impl States for CountYields {
    fn panicked() -> Self {
        CountYields::Panicked
    }
    fn is_returned(&self) -> bool {
        matches!(self, CountYields::Returned)
    }
    fn state_name(&self) -> &'static str {
        match self {
            CountYields::Unresumed { .. } => "Unresumed",
            CountYields::Suspend0 { .. } => "Suspend0",
            CountYields::Returned => "Returned",
            CountYields::Panicked => "Panicked",
        }
    }
    const FN_NAME: &'static str = "count_yields";
}

pub fn count_yields(n: u32) -> impl Future<Output = u32> {
    let step = |s: &mut CountYields, cx: &mut Context<'_>| loop {
        match s {
            CountYields::Unresumed { n } => {
                let n = *n;
                if n == 0 {
                    *s = CountYields::Returned;
                    return Poll::Ready(0);
                }
                *s = CountYields::Suspend0 {
                    awaitee: awaitgraph::yield_now(),
                    i: 0,
                    n,
                };
            }
            CountYields::Suspend0 { awaitee, i, n } => {
                if Pin::new(awaitee).poll(cx).is_pending() {
                    return Poll::Pending;
                }
                *i += 1;
                if *i == *n {
                    let out = *i;
                    *s = CountYields::Returned;
                    return Poll::Ready(out);
                }
                *s = CountYields::Suspend0 {
                    awaitee: awaitgraph::yield_now(),
                    i: *i,
                    n: *n,
                };
            }
            CountYields::Returned => resumed_after_completion(),
            CountYields::Panicked => resumed_after_panicking(),
        }
    };
    // SAFETY: the only awaitee, `YieldNow`, is `Unpin`, so moving it (as the step does when it
    // replaces the variant) is allowed; the step leaves the state valid on every exit.
    unsafe { Machine::<_, _, false>::new(CountYields::Unresumed { n }, step) }
}

/// The states of:
/// ```ignore
/// async fn blocks_then_yields(d: Duration) {
///     std::thread::sleep(d);   // the pitfall
///     yield_now().await;
/// }
/// ```
pub enum BlocksThenYields {
    Unresumed { d: Duration },
    Suspend0 { awaitee: YieldNow },
    Returned,
    Panicked,
}

impl States for BlocksThenYields {
    fn panicked() -> Self {
        BlocksThenYields::Panicked
    }
    fn is_returned(&self) -> bool {
        matches!(self, BlocksThenYields::Returned)
    }
    fn state_name(&self) -> &'static str {
        match self {
            BlocksThenYields::Unresumed { .. } => "Unresumed",
            BlocksThenYields::Suspend0 { .. } => "Suspend0",
            BlocksThenYields::Returned => "Returned",
            BlocksThenYields::Panicked => "Panicked",
        }
    }
    const FN_NAME: &'static str = "blocks_then_yields";
}

pub fn blocks_then_yields(d: Duration) -> impl Future<Output = ()> {
    let step = |s: &mut BlocksThenYields, cx: &mut Context<'_>| loop {
        match s {
            BlocksThenYields::Unresumed { d } => {
                std::thread::sleep(*d);
                *s = BlocksThenYields::Suspend0 {
                    awaitee: awaitgraph::yield_now(),
                };
            }
            BlocksThenYields::Suspend0 { awaitee } => {
                if Pin::new(awaitee).poll(cx).is_pending() {
                    return Poll::Pending;
                }
                *s = BlocksThenYields::Returned;
                return Poll::Ready(());
            }
            BlocksThenYields::Returned => resumed_after_completion(),
            BlocksThenYields::Panicked => resumed_after_panicking(),
        }
    };
    // SAFETY: the only awaitee, `YieldNow`, is `Unpin`, so moving it is allowed; the step
    // leaves the state valid on every exit.
    unsafe { Machine::<_, _, false>::new(BlocksThenYields::Unresumed { d }, step) }
}
