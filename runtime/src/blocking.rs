//! [`spawn_blocking`]: run blocking code on a thread pool so it does not stall the executor.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, OnceLock};
use std::thread;
use std::time::Duration;

use async_task::{Builder, Runnable};

use crate::executor::{TaskId, lock};
use crate::task::{CatchUnwind, JoinHandle};

/// Most threads the pool starts.
const MAX_THREADS: usize = 64;
/// An idle pool thread exits after this long without work.
const KEEP_ALIVE: Duration = Duration::from_secs(10);

struct Pool {
    state: Mutex<PoolState>,
    work: Condvar,
}

struct PoolState {
    queue: VecDeque<Runnable<TaskId>>,
    threads: usize,
    /// Threads waiting for work.
    idle: usize,
    /// Wake-ups sent to idle threads and not yet taken.
    notified: usize,
}

fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| Pool {
        state: Mutex::new(PoolState {
            queue: VecDeque::new(),
            threads: 0,
            idle: 0,
            notified: 0,
        }),
        work: Condvar::new(),
    })
}

impl Pool {
    fn schedule(&'static self, runnable: Runnable<TaskId>) {
        let mut state = lock(&self.state);
        state.queue.push_back(runnable);
        if state.idle > state.notified {
            state.notified += 1;
            drop(state);
            self.work.notify_one();
        } else if state.threads < MAX_THREADS {
            state.threads += 1;
            drop(state);
            let spawned = thread::Builder::new()
                .name("awaitgraph-blocking".into())
                .spawn(move || self.worker());
            if spawned.is_err() {
                // Could not start a thread: an existing one will take the job when free.
                lock(&self.state).threads -= 1;
            }
        }
    }

    fn worker(&'static self) {
        let mut state = lock(&self.state);
        loop {
            if let Some(runnable) = state.queue.pop_front() {
                drop(state);
                runnable.run();
                state = lock(&self.state);
                continue;
            }
            state.idle += 1;
            let (next, timeout) = self
                .work
                .wait_timeout(state, KEEP_ALIVE)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            state = next;
            state.idle -= 1;
            if state.notified > 0 {
                state.notified -= 1;
            } else if timeout.timed_out() && state.queue.is_empty() {
                state.threads -= 1;
                return;
            }
        }
    }
}

/// Runs the blocking closure `f` on a thread pool and returns a handle to await its result.
///
/// Use it for CPU-heavy work and blocking calls (file I/O, `std::thread::sleep`, locks held for
/// long) inside async code: run on the executor thread, they would stall every other task. The
/// pool starts threads on demand (up to 64) and lets idle ones exit after 10 s. Works inside and
/// outside a runtime. [`JoinHandle::abort`] cancels the job only if it has not started.
pub fn spawn_blocking<F, T>(f: F) -> JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let pool = pool();
    let (runnable, task) = Builder::new().metadata(0).spawn(
        move |_| CatchUnwind::new(async move { f() }),
        move |r| pool.schedule(r),
    );
    runnable.schedule();
    JoinHandle::new(task.fallible())
}
