//! A CPU-heavy job (summing primes) run inline on the executor thread stalls every other task:
//! a ticker that should tick every 10 ms does not tick until the job ends. Moved to
//! `spawn_blocking`, the job runs on the blocking pool and the ticker keeps ticking.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use awaitgraph::time::{interval, sleep};

/// The ticker's period.
pub const TICK: Duration = Duration::from_millis(10);
/// How long the CPU-heavy job computes.
pub const JOB: Duration = Duration::from_millis(300);

/// The job: sums the primes 2, 3, 5, ... by trial division until `budget` has elapsed.
/// Returns how many primes it found and their sum. Pure computation, it never yields.
pub fn sum_primes_for(budget: Duration) -> (u64, u64) {
    let start = Instant::now();
    let (mut count, mut sum) = (0u64, 0u64);
    let mut n = 2u64;
    loop {
        if (2..)
            .take_while(|d| d * d <= n)
            .all(|d| !n.is_multiple_of(d))
        {
            count += 1;
            sum += n;
        }
        n += 1;
        if n.is_multiple_of(1024) && start.elapsed() >= budget {
            return (count, sum);
        }
    }
}

/// Ticks every `period` until `stop` is set; returns the time between consecutive ticks.
#[awaitgraph::state_machine]
pub async fn ticker(period: Duration, stop: Arc<AtomicBool>) -> Vec<Duration> {
    let mut every = interval(period);
    every.tick().await;
    let mut last = Instant::now();
    let mut gaps = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        every.tick().await;
        let now = Instant::now();
        gaps.push(now - last);
        last = now;
    }
    gaps
}

/// Runs the job on the executor thread (the mistake).
#[awaitgraph::state_machine]
pub async fn job_inline(budget: Duration) -> (u64, u64) {
    awaitgraph::yield_now().await;
    sum_primes_for(budget)
}

/// Runs the job on the blocking pool and awaits its result (the fix).
#[awaitgraph::state_machine]
pub async fn job_on_pool(budget: Duration) -> (u64, u64) {
    let job = awaitgraph::spawn_blocking(move || sum_primes_for(budget));
    job.await.expect("the job panicked")
}

/// One run: the job, and the ticker beside it.
#[derive(Debug, Clone)]
pub struct Run {
    /// Primes found and their sum.
    pub primes: (u64, u64),
    /// How long awaiting the job took.
    pub job_time: Duration,
    /// The gaps between the ticker's ticks during the run.
    pub gaps: Vec<Duration>,
}

impl Run {
    /// The longest time the ticker went without ticking.
    pub fn max_gap(&self) -> Duration {
        self.gaps.iter().copied().max().unwrap_or_default()
    }
}

/// What the scenario observed.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The job run inline on the executor thread.
    pub inline: Run,
    /// The job run with `spawn_blocking`.
    pub pooled: Run,
}

fn run_once(on_pool: bool) -> Run {
    awaitgraph::block_on(async move {
        let stop = Arc::new(AtomicBool::new(false));
        let ticking = awaitgraph::spawn(ticker(TICK, Arc::clone(&stop)));
        sleep(3 * TICK).await;
        let t = Instant::now();
        let primes = if on_pool {
            job_on_pool(JOB).await
        } else {
            job_inline(JOB).await
        };
        let job_time = t.elapsed();
        sleep(3 * TICK).await;
        stop.store(true, Ordering::Relaxed);
        let gaps = ticking.await.expect("the ticker panicked");
        Run {
            primes,
            job_time,
            gaps,
        }
    })
}

/// Runs the scenario: first inline, then with `spawn_blocking`.
pub fn run() -> Outcome {
    Outcome {
        inline: run_once(false),
        pooled: run_once(true),
    }
}
