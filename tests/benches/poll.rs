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
    // `run`: poll inlined into the polling loop; `run_dyn`: through `Pin<&mut dyn Future>`, as
    // an executor polls a task.
    macro_rules! pair {
        ($name:literal, $native:ident, $lowered:ident, $arg:expr) => {
            g.bench_function(concat!($name, "/native"), |b| {
                b.iter(|| run($native(black_box($arg))))
            });
            g.bench_function(concat!($name, "/lowered"), |b| {
                b.iter(|| run($lowered(black_box($arg))))
            });
            g.bench_function(concat!($name, "/native-dyn"), |b| {
                b.iter(|| run_dyn($native(black_box($arg))))
            });
            g.bench_function(concat!($name, "/lowered-dyn"), |b| {
                b.iter(|| run_dyn($lowered(black_box($arg))))
            });
            // The two must agree, or the comparison means nothing.
            assert_eq!(run($native($arg)), run($lowered($arg)));
        };
    }
    pair!("sequential", seq_native, seq_lowered, 3);
    pair!("loop_1000", loop_native, loop_lowered, 1000);
    pair!("match_heavy", match_native, match_lowered, 200);
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
