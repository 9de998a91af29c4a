//! A deliberately blocking call (`std::thread::sleep`) inside an annotated async fn. With
//! tracing on, the runtime times every poll of a generated future and reports the ones longer
//! than the blocking threshold (10 ms) with the fn and the state the poll started in.

use std::time::Duration;

use awaitgraph::time::sleep;
use awaitgraph::trace::{Blocking, Trace};

/// How long `handle_request` blocks the executor thread.
pub const BLOCK: Duration = Duration::from_millis(50);

/// Waits for a "request", then blocks the thread (the bug), then yields.
///
/// The blocking sleep runs in the poll that resumes from `Suspend0` (the first await) and runs
/// to `Suspend1` (the `yield_now`), so that is the state the detector names.
#[awaitgraph::state_machine]
pub async fn handle_request(id: u32) -> u32 {
    sleep(Duration::from_millis(5)).await;
    std::thread::sleep(BLOCK);
    awaitgraph::yield_now().await;
    id * 2
}

/// What the scenario observed.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// What `handle_request(21)` returned.
    pub result: u32,
    /// The blocking polls the detector reported.
    pub blocking: Vec<Blocking>,
    /// The whole trace.
    pub trace: Trace,
}

/// Runs `handle_request` with tracing on.
pub fn run() -> Outcome {
    let (result, trace) =
        awaitgraph::trace::record(|| awaitgraph::block_on(async { handle_request(21).await }));
    Outcome {
        result,
        blocking: trace.blocking().to_vec(),
        trace,
    }
}
