//! The fns of `benches/poll.rs` in a plain binary, to count instructions with callgrind
//! (deterministic, unlike wall-clock time on a shared machine): `scripts/poll-instructions.sh`.
//! Usage: `poll_ir <seq|loop|match>-<native|lowered> <runs>`.

use std::future::Future;
use std::hint::black_box;
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};

/// Pending once, then Ready(v).
struct YieldOnce<T>(Option<T>, bool);

impl<T: Unpin> Future for YieldOnce<T> {
    type Output = T;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        if !self.1 {
            self.1 = true;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        Poll::Ready(self.0.take().expect("polled after completion"))
    }
}

fn leaf<T>(v: T) -> YieldOnce<T> {
    YieldOnce(Some(v), false)
}

fn run<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

macro_rules! twins {
    ($native:ident, $lowered:ident, ($($p:ident: $t:ty),*) -> $r:ty $body:block) => {
        async fn $native($($p: $t),*) -> $r $body
        #[awaitgraph::state_machine(diagrams = false)]
        async fn $lowered($($p: $t),*) -> $r $body
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

fn time<F: Fn() -> u64>(name: &str, f: F) {
    let n = 20000;
    let t = std::time::Instant::now();
    let mut s = 0u64;
    for _ in 0..n {
        s = s.wrapping_add(f());
    }
    println!(
        "{name:<20} {:>8.1} ns  ({s})",
        t.elapsed().as_nanos() as f64 / n as f64
    );
}
fn main() {
    let which = std::env::args().nth(1).unwrap_or_default();
    let n: u64 = std::env::args()
        .nth(2)
        .and_then(|x| x.parse().ok())
        .unwrap_or(20000);
    let mut s = 0u64;
    for _ in 0..n {
        s = s.wrapping_add(match which.as_str() {
            "seq-native" => run(seq_native(black_box(3))),
            "seq-lowered" => run(seq_lowered(black_box(3))),
            "loop-native" => run(loop_native(black_box(1000))),
            "loop-lowered" => run(loop_lowered(black_box(1000))),
            "match-native" => run(match_native(black_box(200))),
            "match-lowered" => run(match_lowered(black_box(200))),
            _ => 0,
        });
    }
    println!("{s}");
}
