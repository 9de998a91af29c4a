//! The fns of the poll-cost benchmark, native and lowered twins, shared by
//! `benches/poll.rs` (criterion) and `examples/poll_ir.rs` (callgrind instruction counts).

use std::future::Future;
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};

/// Pending once, then Ready(v). Its flag is read through `black_box`, so LLVM cannot see
/// through the leaf and fold a whole run into a closed form (it did for the lowered loop: 31
/// instructions for 1000 awaits).
pub struct YieldOnce<T>(Option<T>, bool);

impl<T: Unpin> Future for YieldOnce<T> {
    type Output = T;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        if !std::hint::black_box(self.1) {
            self.1 = true;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        Poll::Ready(self.0.take().expect("polled after completion"))
    }
}

pub fn leaf<T>(v: T) -> YieldOnce<T> {
    YieldOnce(Some(v), false)
}

/// Polls `f` to completion, its `poll` inlined into the caller (the best case for LLVM).
pub fn run<F: Future>(f: F) -> F::Output {
    drive(pin!(f))
}

/// Polls `f` to completion through `Pin<&mut dyn Future>`, as an executor polls a task: `poll`
/// is a call through a vtable and the state lives in memory between polls. Never inlined, like
/// an executor's `spawn`: the future is moved into its frame, and whether LLVM inlined this into
/// the caller (which decided whether that move was elided) no longer depends on the future.
#[inline(never)]
pub fn run_dyn<F: Future>(f: F) -> F::Output {
    let f = pin!(f);
    let f: Pin<&mut dyn Future<Output = F::Output>> = std::hint::black_box(f);
    drive(f)
}

#[inline(always)]
fn drive<F: Future + ?Sized>(mut f: Pin<&mut F>) -> F::Output {
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

macro_rules! twins {
    ($native:ident, $lowered:ident, ($($p:ident: $t:ty),*) -> $r:ty $body:block) => {
        pub async fn $native($($p: $t),*) -> $r $body
        #[awaitgraph::state_machine(diagrams = false)]
        pub async fn $lowered($($p: $t),*) -> $r $body
    };
}

twins!(seq_native, seq_lowered, (n: u64) -> u64 {
    let a = leaf(n).await;
    let s = String::from("x");
    let b = leaf(a + 1).await;
    let c = leaf(b * 2).await + s.len() as u64;
    let d = leaf(c ^ 7).await;
    a + b + c + d
});

twins!(loop_native, loop_lowered, (n: u64) -> u64 {
    let mut acc = 0u64;
    let mut i = 0;
    while i < n {
        acc = acc.wrapping_add(leaf(i).await);
        i += 1;
    }
    acc
});

twins!(match_native, match_lowered, (n: u64) -> u64 {
    let mut acc = 0u64;
    for i in 0..n {
        acc += match i % 4 {
            0 => leaf(1).await,
            1 => {
                let v = leaf(i).await;
                if v > 10 { leaf(v).await } else { v }
            }
            2 => 7,
            _ => match leaf(Some(i)).await {
                Some(x) if x % 2 == 0 => x,
                Some(x) => leaf(x).await,
                None => 0,
            },
        };
    }
    acc
});
