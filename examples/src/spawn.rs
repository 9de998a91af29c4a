//! A spawned background task counts ticks of an `interval` while the main task works; then the
//! main task aborts it (it would tick forever), and awaits a second one that stops by itself.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use awaitgraph::JoinError;
use awaitgraph::time::{interval, sleep};

/// The ticker's period.
pub const TICK: Duration = Duration::from_millis(10);
/// How long one step of the main task's work waits.
pub const STEP: Duration = Duration::from_millis(20);
/// Steps of work in the main task.
pub const STEPS: u32 = 10;

/// Counts ticks of an interval into `ticks` until it has counted `max` of them; returns the count.
#[awaitgraph::state_machine]
pub async fn ticker(period: Duration, max: u32, ticks: Arc<AtomicU32>) -> u32 {
    let mut every = interval(period);
    let mut n = 0;
    while n < max {
        every.tick().await;
        n += 1;
        ticks.store(n, Ordering::Relaxed);
    }
    n
}

/// The main task's work: `steps` waits of `step`; returns how many steps were done.
#[awaitgraph::state_machine]
pub async fn work(steps: u32, step: Duration) -> u32 {
    let mut done = 0;
    for _ in 0..steps {
        sleep(step).await;
        done += 1;
    }
    done
}

/// What the scenario observed.
#[derive(Debug)]
pub struct Outcome {
    /// Steps the main task did.
    pub steps_done: u32,
    /// How long the main task's work took.
    pub work_time: Duration,
    /// Ticks the background task counted while the main task worked.
    pub ticks_during_work: u32,
    /// Whether the ticker was still running when aborted.
    pub running_before_abort: bool,
    /// Awaiting the aborted task.
    pub aborted: Result<u32, JoinError>,
    /// Ticks counted right after the aborted task was awaited.
    pub ticks_at_abort: u32,
    /// Ticks counted 50 ms (5 periods) later: the same, the task no longer runs.
    pub ticks_after_abort: u32,
    /// Awaiting a second ticker spawned to stop after 5 ticks.
    pub awaited: Result<u32, JoinError>,
}

/// Runs the scenario on awaitgraph's runtime.
pub fn run() -> Outcome {
    awaitgraph::block_on(async {
        let ticks = Arc::new(AtomicU32::new(0));
        let mut background = awaitgraph::spawn(ticker(TICK, u32::MAX, Arc::clone(&ticks)));
        let t = Instant::now();
        let steps_done = work(STEPS, STEP).await;
        let work_time = t.elapsed();
        let ticks_during_work = ticks.load(Ordering::Relaxed);
        let running_before_abort = !background.is_finished();
        background.abort();
        let aborted = background.await;
        let ticks_at_abort = ticks.load(Ordering::Relaxed);
        sleep(Duration::from_millis(50)).await;
        let ticks_after_abort = ticks.load(Ordering::Relaxed);
        let awaited = awaitgraph::spawn(ticker(TICK, 5, Arc::new(AtomicU32::new(0)))).await;
        Outcome {
            steps_done,
            work_time,
            ticks_during_work,
            running_before_abort,
            aborted,
            ticks_at_abort,
            ticks_after_abort,
            awaited,
        }
    })
}
