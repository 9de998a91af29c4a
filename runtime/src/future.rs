//! Combinators: [`yield_now`], [`select`], and the helper behind [`join!`](crate::join!).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Lets other tasks run: the first poll wakes itself and returns `Pending`.
pub fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
}

/// The future of [`yield_now`].
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

/// The output of [`select`]: which future finished first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Either<A, B> {
    /// The first future finished first.
    Left(A),
    /// The second future finished first.
    Right(B),
}

pin_project_lite::pin_project! {
    /// The future of [`select`].
    #[derive(Debug)]
    #[must_use = "futures do nothing unless awaited"]
    pub struct Select<A, B> {
        #[pin]
        a: A,
        #[pin]
        b: B,
    }
}

/// Waits for the first of two futures; the other one is dropped with the `Select`.
///
/// Biased: `a` is polled first, so if both are ready, `Left` wins.
pub fn select<A: Future, B: Future>(a: A, b: B) -> Select<A, B> {
    Select { a, b }
}

impl<A: Future, B: Future> Future for Select<A, B> {
    type Output = Either<A::Output, B::Output>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Poll::Ready(a) = this.a.poll(cx) {
            return Poll::Ready(Either::Left(a));
        }
        this.b.poll(cx).map(Either::Right)
    }
}

pin_project_lite::pin_project! {
    /// A future, then its output once it finished. Used by [`join!`](crate::join!).
    #[project = MaybeDoneProj]
    #[project_replace = MaybeDoneReplace]
    #[derive(Debug)]
    // The fields are described by their variants' docs.
    #[allow(missing_docs)]
    pub enum MaybeDone<F: Future> {
        /// Still running.
        Future { #[pin] future: F },
        /// Finished; holds the output.
        Done { output: F::Output },
        /// The output was taken.
        Gone,
    }
}

impl<F: Future> MaybeDone<F> {
    /// Wraps a future.
    pub fn new(future: F) -> Self {
        MaybeDone::Future { future }
    }

    /// Polls the future if it is still running; `Ready(())` once the output is stored.
    pub fn poll_done(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let output = match self.as_mut().project() {
            MaybeDoneProj::Future { future } => match future.poll(cx) {
                Poll::Ready(output) => output,
                Poll::Pending => return Poll::Pending,
            },
            _ => return Poll::Ready(()),
        };
        self.set(MaybeDone::Done { output });
        Poll::Ready(())
    }

    /// Takes the output out.
    ///
    /// # Panics
    /// If the future has not finished or the output was already taken.
    pub fn take_output(self: Pin<&mut Self>) -> F::Output {
        match self.project_replace(MaybeDone::Gone) {
            MaybeDoneReplace::Done { output } => output,
            _ => panic!("`MaybeDone::take_output` before completion or twice"),
        }
    }
}

/// Polls several futures concurrently and returns all their outputs as a tuple, in order.
///
/// It awaits, so use it in async code: `let (a, b) = join!(fetch(1), fetch(2));`. The futures
/// run concurrently on the current task (nothing is spawned): on each wake-up every unfinished
/// one is polled, so two 100 ms sleeps joined take about 100 ms. Accepts any number of futures
/// (up to the macro recursion limit).
#[macro_export]
macro_rules! join {
    (@{ ( $($count:tt)* ) $( ( $($skip:tt)* ) $e:expr, )* }) => {{
        let mut __futures = ( $( ::core::pin::pin!($crate::future::MaybeDone::new($e)), )* );
        ::core::future::poll_fn(|__cx| {
            let mut __all_done = true;
            $(
                let ( $($skip,)* __fut, .. ) = &mut __futures;
                __all_done &= __fut.as_mut().poll_done(__cx).is_ready();
            )*
            if __all_done {
                ::core::task::Poll::Ready(( $( {
                    let ( $($skip,)* __fut, .. ) = &mut __futures;
                    __fut.as_mut().take_output()
                }, )* ))
            } else {
                ::core::task::Poll::Pending
            }
        }).await
    }};
    (@{ ( $($s:tt)* ) $($t:tt)* } $e:expr, $($r:tt)* ) => {
        $crate::join!(@{ ($($s)* _) $($t)* ($($s)*) $e, } $($r)*)
    };
    ( $($e:expr),+ $(,)? ) => {
        $crate::join!(@{ () } $($e,)+)
    };
}
