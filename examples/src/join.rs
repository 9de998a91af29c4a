//! Two fetches awaited one after the other take the sum of their times; joined with `join!`
//! they run concurrently on one task and take about the time of one.

use std::time::{Duration, Instant};

use awaitgraph::time::sleep;

/// How long one fetch waits.
pub const FETCH_DELAY: Duration = Duration::from_millis(250);

/// Pretends to fetch `name`: waits `delay`, then answers.
#[awaitgraph::state_machine]
pub async fn fetch(name: &'static str, delay: Duration) -> String {
    sleep(delay).await;
    format!("{name}: {} bytes", name.len() * 100)
}

/// Fetches `a`, then `b`: two states, one per await, entered one after the other.
#[awaitgraph::state_machine]
pub async fn sequential(a: &'static str, b: &'static str) -> (String, String) {
    let first = fetch(a, FETCH_DELAY).await;
    let second = fetch(b, FETCH_DELAY).await;
    (first, second)
}

/// Fetches `a` and `b` concurrently: one await, whose awaitee polls both fetches.
///
/// `join!` awaits inside its own expansion, which the attribute cannot see: it awaits the
/// macro as one future, `async { join!(..) }.await` (one state, `Suspend0`, in the diagram).
#[awaitgraph::state_machine]
pub async fn joined(a: &'static str, b: &'static str) -> (String, String) {
    awaitgraph::join!(fetch(a, FETCH_DELAY), fetch(b, FETCH_DELAY))
}

/// What the scenario observed.
#[derive(Debug)]
pub struct Outcome {
    /// One fetch alone.
    pub single: Duration,
    /// Both fetches, one after the other.
    pub sequential: Duration,
    /// Both fetches with `join!`.
    pub joined: Duration,
    /// The outputs of the sequential run.
    pub sequential_out: (String, String),
    /// The outputs of the joined run (same as the sequential ones, same order).
    pub joined_out: (String, String),
}

/// Runs the scenario on awaitgraph's runtime.
pub fn run() -> Outcome {
    awaitgraph::block_on(async {
        let t = Instant::now();
        fetch("warmup", FETCH_DELAY).await;
        let single = t.elapsed();
        let t = Instant::now();
        let sequential_out = sequential("users", "orders").await;
        let sequential = t.elapsed();
        let t = Instant::now();
        let joined_out = joined("users", "orders").await;
        let joined = t.elapsed();
        Outcome {
            single,
            sequential,
            joined,
            sequential_out,
            joined_out,
        }
    })
}
