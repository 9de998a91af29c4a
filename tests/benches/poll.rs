//! Poll cost: the same async fns, native and lowered by `#[awaitgraph::state_machine]`, polled
//! to completion in one run. `cargo bench -p awaitgraph-tests --bench poll`.
//!
//! The leaf future returns `Pending` once before `Ready`, so every await really suspends and
//! resumes (two polls per await), as in a real executor.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};

#[path = "poll_fns.rs"]
mod poll_fns;
use poll_fns::*;

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
