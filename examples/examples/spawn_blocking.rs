//! A CPU-heavy job inline (the ticker stalls) and on `spawn_blocking` (the ticker keeps ticking).

use awaitgraph_examples::{ms, print_diagrams, spawn_blocking};

fn main() {
    let out = spawn_blocking::run();
    for (how, run) in [
        ("inline on the executor", &out.inline),
        ("with spawn_blocking   ", &out.pooled),
    ] {
        println!(
            "{how}: job found {} primes in {}; ticker ({} period) ticked {} times, longest gap {}",
            run.primes.0,
            ms(run.job_time),
            ms(spawn_blocking::TICK),
            run.gaps.len(),
            ms(run.max_gap())
        );
    }
    print_diagrams("spawn_blocking", &["ticker", "job_inline", "job_on_pool"]);
}
