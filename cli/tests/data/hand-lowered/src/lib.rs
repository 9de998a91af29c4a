//! A fn written twice: natively (`--cfg passthrough`, set by build.rs when
//! `AWAITGRAPH_PASSTHROUGH` is set, as the real macro passes the fn through) and hand-lowered in
//! the shape `#[awaitgraph::state_machine]` generates (a generic `__State` enum inside the fn,
//! driven by a `Machine`). Lets `cargo awaitgraph compare` be tested end to end without the macro.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

/// Stand-in for the runtime's module, so the printed type path matches the real one.
pub mod awaitgraph {
    /// Stand-in for `awaitgraph::__private`.
    pub mod private {
        use core::future::Future;
        use core::marker::PhantomPinned;
        use core::pin::Pin;
        use core::task::{Context, Poll};

        /// The generated future's shell.
        pub struct Machine<S, F> {
            /// The state enum.
            pub state: S,
            /// The step closure.
            pub step: F,
            /// Keeps it `!Unpin`.
            pub _pinned: PhantomPinned,
        }

        impl<S, F, T> Future for Machine<S, F>
        where
            F: FnMut(&mut S, &mut Context<'_>) -> Poll<T>,
        {
            type Output = T;
            fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
                // SAFETY: nothing is moved out of the pinned machine; the step closure polls
                // awaitees in place.
                let this = unsafe { self.get_unchecked_mut() };
                (this.step)(&mut this.state, cx)
            }
        }
    }
}

/// A leaf future: its own layout is the same in both builds.
pub async fn leaf(x: u64) -> u64 {
    x + 1
}

async fn fill(buf: &mut [u8; 64]) -> usize {
    buf[0] = 1;
    buf.len()
}

/// Polls `fut`, which lives in pinned state.
fn poll_in_place<F: Future>(fut: &mut F, cx: &mut Context<'_>) -> Poll<F::Output> {
    // SAFETY: `fut` is inside a pinned `Machine` state and is not moved until dropped.
    unsafe { Pin::new_unchecked(fut) }.poll(cx)
}

/// Two arguments, one used after the await.
#[cfg(passthrough)]
pub async fn sequential(a: u64, b: u32) -> u64 {
    let x = leaf(a).await;
    x + b as u64
}

/// Two arguments, one used after the await (hand-lowered).
#[cfg(not(passthrough))]
pub fn sequential(a: u64, b: u32) -> impl Future<Output = u64> {
    enum __State<T0, T1, T2> {
        Unresumed { a: T0, b: T1 },
        Suspend0 { __awaitee: T2, b: T1 },
        Returned,
        Panicked,
    }
    let step = move |s: &mut __State<_, _, _>, cx: &mut Context<'_>| loop {
        match s {
            __State::Unresumed { a, b } => {
                let f = leaf(*a);
                *s = __State::Suspend0 { __awaitee: f, b: *b };
            }
            __State::Suspend0 { __awaitee, b } => {
                let x = match poll_in_place(__awaitee, cx) {
                    Poll::Ready(x) => x,
                    Poll::Pending => return Poll::Pending,
                };
                let b = *b;
                *s = __State::Returned;
                return Poll::Ready(x + b as u64);
            }
            __State::Returned => panic!("`async fn` resumed after completion"),
            __State::Panicked => panic!("`async fn` resumed after panicking"),
        }
    };
    awaitgraph::private::Machine {
        state: __State::Unresumed { a, b },
        step,
        _pinned: core::marker::PhantomPinned,
    }
}

/// A local buffer borrowed by the awaited call.
#[cfg(passthrough)]
pub async fn borrowed() -> u8 {
    let mut buf = [0u8; 64];
    let n = fill(&mut buf).await;
    buf[n - 1]
}

/// A local buffer borrowed by the awaited call (hand-lowered: the borrow is wrapped in an async
/// block that hands the buffer back with the output).
#[cfg(not(passthrough))]
pub fn borrowed() -> impl Future<Output = u8> {
    enum __State<T0> {
        Unresumed,
        Suspend0 { __awaitee: T0 },
        Returned,
        Panicked,
    }
    fn wrap(mut buf: [u8; 64]) -> impl Future<Output = (usize, [u8; 64])> {
        async move {
            let o = fill(&mut buf).await;
            (o, buf)
        }
    }
    let step = move |s: &mut __State<_>, cx: &mut Context<'_>| loop {
        match s {
            __State::Unresumed => {
                let buf = [0u8; 64];
                *s = __State::Suspend0 { __awaitee: wrap(buf) };
            }
            __State::Suspend0 { __awaitee } => {
                let (n, buf) = match poll_in_place(__awaitee, cx) {
                    Poll::Ready(x) => x,
                    Poll::Pending => return Poll::Pending,
                };
                *s = __State::Returned;
                return Poll::Ready(buf[n - 1]);
            }
            __State::Returned => panic!("`async fn` resumed after completion"),
            __State::Panicked => panic!("`async fn` resumed after panicking"),
        }
    };
    awaitgraph::private::Machine {
        state: __State::Unresumed,
        step,
        _pinned: core::marker::PhantomPinned,
    }
}
