//! Poll cost: the same async fns, native and lowered by `#[awaitgraph::state_machine]`, polled
//! to completion in one run. `cargo bench -p awaitgraph-tests --bench poll`.
//!
//! The leaf future returns `Pending` once before `Ready`, so every await really suspends and
//! resumes (two polls per await), as in a real executor.

use std::future::Future;
use std::hint::black_box;
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};

use criterion::{Criterion, criterion_group, criterion_main};

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

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("poll");
    g.sample_size(30);
    g.bench_function("sequential/native", |b| {
        b.iter(|| run(seq_native(black_box(3))))
    });
    g.bench_function("sequential/lowered", |b| {
        b.iter(|| run(seq_lowered(black_box(3))))
    });
    g.bench_function("loop_1000/native", |b| {
        b.iter(|| run(loop_native(black_box(1000))))
    });
    g.bench_function("loop_1000/lowered", |b| {
        b.iter(|| run(loop_lowered(black_box(1000))))
    });
    g.bench_function("match_heavy/native", |b| {
        b.iter(|| run(match_native(black_box(200))))
    });
    g.bench_function("match_heavy/lowered", |b| {
        b.iter(|| run(match_lowered(black_box(200))))
    });
    g.finish();
    // The two must agree, or the comparison means nothing.
    assert_eq!(run(seq_native(3)), run(seq_lowered(3)));
    assert_eq!(run(loop_native(1000)), run(loop_lowered(1000)));
    assert_eq!(run(match_native(200)), run(match_lowered(200)));
}

criterion_group!(benches, bench);
criterion_main!(benches);
