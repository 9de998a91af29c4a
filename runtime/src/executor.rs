//! The single-threaded executor: a run queue that wakers on any thread push into, a timer heap,
//! and a thread that parks (with the next timer's deadline) when there is nothing to run.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Instant;

use async_task::{Builder, Runnable};
use concurrent_queue::ConcurrentQueue;
use parking::{Parker, Unparker};
use slab::Slab;

use crate::task::{CatchUnwind, JoinHandle};
use crate::time::Timers;

/// Runnables run per round before the main future and the timers get their turn again.
const BATCH: usize = 128;

/// Task ids, for traces. `0` is the future passed to `block_on`.
pub(crate) type TaskId = u64;

/// Locks a mutex, ignoring poisoning: every critical section here leaves its data consistent.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The part of a runtime that wakers, timers and handles share across threads.
pub(crate) struct Shared {
    /// Scheduled tasks. Closed when the runtime is dropped.
    queue: ConcurrentQueue<Runnable<TaskId>>,
    /// Wakes the runtime's thread when it parks.
    unparker: Unparker,
    /// Pending timers, driven by the runtime's thread.
    pub(crate) timers: Mutex<Timers>,
    /// A waker per live task, so that dropping the runtime can drop every task's future.
    active: Mutex<Slab<Waker>>,
    next_id: AtomicU64,
}

impl Shared {
    fn schedule(&self, runnable: Runnable<TaskId>) {
        // Fast path: a wake on the thread that is running this runtime (a task waking itself
        // or another task) goes to the thread's local queue: no atomics, no unpark.
        let mut slot = Some(runnable);
        let _ = LOCAL.try_with(|local| {
            if local.is_running(self)
                && let Some(r) = slot.take()
            {
                local.queue.borrow_mut().push_back(r);
            }
        });
        let Some(runnable) = slot else {
            return;
        };
        match self.queue.push(runnable) {
            Ok(()) => {
                self.unparker.unpark();
            }
            // The runtime is gone and has already dropped every task's future: dropping the
            // runnable only releases the allocation.
            Err(closed) => drop(closed.into_inner()),
        }
    }

    pub(crate) fn spawn<F>(self: &Arc<Self>, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.register(future, |builder, task, shared| {
            builder.spawn(move |_| task, move |r| shared.schedule(r))
        })
    }

    pub(crate) fn spawn_local<F>(self: &Arc<Self>, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        self.register(future, |builder, task, shared| {
            builder.spawn_local(move |_| task, move |r| shared.schedule(r))
        })
    }

    /// Adds a task to the live set and schedules it; `build` makes it with `async_task`
    /// (`Builder::spawn` or `Builder::spawn_local`, which differ in their `Send` bounds).
    fn register<F, B>(self: &Arc<Self>, future: F, build: B) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        B: FnOnce(
            Builder<TaskId>,
            Tracked<CatchUnwind<F>>,
            Arc<Self>,
        ) -> (
            Runnable<TaskId>,
            async_task::Task<<CatchUnwind<F> as Future>::Output, TaskId>,
        ),
    {
        let mut active = lock(&self.active);
        let entry = active.vacant_entry();
        let unregister = Unregister {
            shared: self.clone(),
            key: entry.key(),
        };
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let tracked = Tracked {
            future: CatchUnwind::new(future),
            _unregister: unregister,
        };
        let (runnable, task) = build(Builder::new().metadata(id), tracked, self.clone());
        entry.insert(runnable.waker());
        drop(active);
        runnable.schedule();
        JoinHandle::new(task.fallible())
    }
}

/// Removes a task from the runtime's live set when its future is dropped.
struct Unregister {
    shared: Arc<Shared>,
    key: usize,
}

impl Drop for Unregister {
    fn drop(&mut self) {
        lock(&self.shared.active).try_remove(self.key);
    }
}

pin_project_lite::pin_project! {
    /// A task's future: unregisters the task from the runtime's live set when it is dropped
    /// (on completion, on cancellation, or when the runtime shuts down).
    struct Tracked<F> {
        #[pin]
        future: F,
        _unregister: Unregister,
    }
}

impl<F: Future> Future for Tracked<F> {
    type Output = F::Output;
    #[inline]
    fn poll(self: core::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.project().future.poll(cx)
    }
}

thread_local! {
    /// Scheduling state of the runtime running on this thread (set by `Runtime::block_on`).
    static LOCAL: Local = const {
        Local {
            running: Cell::new(core::ptr::null()),
            queue: RefCell::new(VecDeque::new()),
        }
    };
}

/// Per-thread state of the runtime that this thread is running.
struct Local {
    /// The `shared` field of the `Runtime` in `block_on` on this thread, or null. Set and
    /// cleared by `Enter`, which lives inside `block_on(&self)`: while non-null it points to a
    /// live `Arc` that the runtime's `&self` borrow keeps in place.
    running: Cell<*const Arc<Shared>>,
    /// Tasks woken on this thread; only `running`'s tasks, run before the remote queue's.
    queue: RefCell<VecDeque<Runnable<TaskId>>>,
}

impl Local {
    /// Whether `shared` is the runtime running on this thread.
    fn is_running(&self, shared: &Shared) -> bool {
        let running = self.running.get();
        // SAFETY: non-null `running` points to a live `Arc<Shared>` (see the field's doc);
        // it is only read here.
        !running.is_null() && core::ptr::eq(Arc::as_ptr(unsafe { &*running }), shared)
    }
}

/// Calls `f` with the runtime running on this thread. Panics (naming `what`) outside of one.
fn with_current<R>(what: &str, f: impl FnOnce(&Arc<Shared>) -> R) -> R {
    let running = LOCAL.with(|l| l.running.get());
    assert!(
        !running.is_null(),
        "awaitgraph: `{what}` must be called from within an awaitgraph runtime (inside `block_on`)"
    );
    // SAFETY: non-null `running` points to the `Arc` of the runtime whose `block_on` is on
    // this thread's stack below us; it stays valid until that `block_on` returns, which is
    // after `f` returns.
    f(unsafe { &*running })
}

/// The runtime running on this thread. Panics (naming `what`) outside of a runtime.
pub(crate) fn current(what: &str) -> Arc<Shared> {
    with_current(what, Arc::clone)
}

/// Marks this thread as running a runtime until dropped.
struct Enter<'a> {
    shared: &'a Arc<Shared>,
}

impl<'a> Enter<'a> {
    fn new(shared: &'a Arc<Shared>) -> Enter<'a> {
        LOCAL.with(|l| {
            assert!(
                l.running.get().is_null(),
                "awaitgraph: cannot `block_on` inside a runtime: it would block the thread that runs \
                 the tasks. Use `.await`, or `spawn` the future and await its handle."
            );
            l.running.set(shared);
        });
        Enter { shared }
    }
}

impl Drop for Enter<'_> {
    fn drop(&mut self) {
        // Tasks still queued locally go to the shared queue, for the next `block_on` (or for
        // the runtime's drop, which drops them).
        let left = LOCAL.with(|l| {
            l.running.set(core::ptr::null());
            let mut q = l.queue.borrow_mut();
            (!q.is_empty()).then(|| core::mem::take(&mut *q))
        });
        for r in left.into_iter().flatten() {
            self.shared.schedule(r);
        }
    }
}

/// Wakes the future passed to `block_on`.
struct MainWaker {
    woken: AtomicBool,
    unparker: Unparker,
}

impl Wake for MainWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        if !self.woken.swap(true, Ordering::AcqRel) {
            self.unparker.unpark();
        }
    }
}

/// A single-threaded runtime (like tokio's `current_thread`): [`block_on`](Runtime::block_on)
/// runs a future and every task spawned onto the runtime on the calling thread.
///
/// Wakers may be used from any thread. When nothing is ready, the thread parks until a waker
/// fires or the next timer is due; it never spins.
///
/// Dropping the runtime drops the futures of all tasks that have not finished.
pub struct Runtime {
    shared: Arc<Shared>,
    parker: Parker,
    /// The waker of the future passed to `block_on`, reused across calls.
    main: Arc<MainWaker>,
    main_waker: Waker,
    /// Reused buffer of timer wakers fired in one round.
    fired: RefCell<Vec<Waker>>,
    /// `spawn_local` tasks must stay on this thread.
    _not_send: PhantomData<*const ()>,
}

impl Default for Runtime {
    fn default() -> Self {
        Self::new()
    }
}

impl core::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Runtime")
            .field("queued", &self.shared.queue.len())
            .field("tasks", &lock(&self.shared.active).len())
            .finish()
    }
}

impl Runtime {
    /// Creates a runtime. Reads `AWAITGRAPH_TRACE` once per process (see [`crate::trace`]).
    pub fn new() -> Runtime {
        crate::trace::init_from_env();
        let parker = Parker::new();
        let main = Arc::new(MainWaker {
            woken: AtomicBool::new(true),
            unparker: parker.unparker(),
        });
        Runtime {
            main_waker: Waker::from(main.clone()),
            main,
            shared: Arc::new(Shared {
                queue: ConcurrentQueue::unbounded(),
                unparker: parker.unparker(),
                timers: Mutex::new(Timers::default()),
                active: Mutex::new(Slab::new()),
                next_id: AtomicU64::new(1),
            }),
            parker,
            fired: RefCell::new(Vec::new()),
            _not_send: PhantomData,
        }
    }

    /// Spawns a task onto this runtime. It runs while some thread is in
    /// [`block_on`](Runtime::block_on) of this runtime.
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.shared.spawn(future)
    }

    /// Spawns a `!Send` task onto this runtime.
    pub fn spawn_local<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        self.shared.spawn_local(future)
    }

    /// Runs `future` to completion on this thread, running spawned tasks and timers meanwhile.
    ///
    /// # Panics
    /// If called from inside a runtime (a task or future already driven by `block_on`): that
    /// would block the thread that must run the tasks.
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        let _enter = Enter::new(&self.shared);
        let mut future = pin!(future);
        // A waker left behind by an earlier `block_on` may set `woken` later: that only causes
        // one extra poll.
        let main = &*self.main;
        main.woken.store(true, Ordering::Relaxed);
        let mut cx = Context::from_waker(&self.main_waker);
        loop {
            if main.woken.load(Ordering::Acquire) && main.woken.swap(false, Ordering::AcqRel) {
                if crate::trace::enabled() {
                    crate::trace::set_current_task(0);
                }
                if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
                    return out;
                }
            }
            let ran = self.run_batch();
            let fired = self.fire_timers();
            if ran == 0 && fired == 0 && !main.woken.load(Ordering::Acquire) {
                self.park();
            }
        }
    }

    /// Runs up to [`BATCH`] scheduled tasks; returns how many ran.
    fn run_batch(&self) -> usize {
        LOCAL.with(|local| {
            // Take what other threads woke, behind what this thread woke: FIFO for both.
            let remote = self.shared.queue.len();
            if remote > 0 {
                let mut q = local.queue.borrow_mut();
                for _ in 0..remote {
                    let Ok(r) = self.shared.queue.pop() else {
                        break;
                    };
                    q.push_back(r);
                }
            }
            self.run_local(local)
        })
    }

    fn run_local(&self, local: &Local) -> usize {
        let mut ran = 0;
        while ran < BATCH {
            let Some(runnable) = local.queue.borrow_mut().pop_front() else {
                break;
            };
            if crate::trace::enabled() {
                crate::trace::set_current_task(*runnable.metadata());
            }
            runnable.run();
            ran += 1;
        }
        ran
    }

    /// Wakes the tasks whose timers are due; returns how many.
    fn fire_timers(&self) -> usize {
        let mut fired = self.fired.borrow_mut();
        {
            let mut timers = lock(&self.shared.timers);
            if timers.is_empty() {
                return 0;
            }
            timers.fire(Instant::now(), &mut fired);
        }
        // Wake outside the lock: a waker may do anything, including touching timers.
        let n = fired.len();
        for w in fired.drain(..) {
            w.wake();
        }
        n
    }

    /// Parks until a waker fires or the next timer is due.
    fn park(&self) {
        let deadline = lock(&self.shared.timers).next_deadline();
        match deadline {
            Some(deadline) => {
                self.parker.park_deadline(deadline);
            }
            None => self.parker.park(),
        }
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        // Schedule every live task, then drop the scheduled runnables here, on the runtime's
        // thread: that drops each unfinished future (also `!Send` ones) where it belongs.
        let wakers: Vec<Waker> = lock(&self.shared.active).drain().collect();
        for w in wakers {
            w.wake();
        }
        self.shared.queue.close();
        while let Ok(runnable) = self.shared.queue.pop() {
            drop(runnable);
        }
        // Timers may hold wakers of tasks that are gone.
        *lock(&self.shared.timers) = Timers::default();
    }
}

/// Spawns a task onto the current runtime and returns a handle to await its output.
///
/// The task starts running at the runtime's next round; it does not need to be awaited.
/// Dropping the [`JoinHandle`] detaches the task; [`JoinHandle::abort`] cancels it.
///
/// # Panics
/// Outside of a runtime (see [`block_on`](crate::block_on)).
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    with_current("spawn", |s| s.spawn(future))
}

/// Spawns a `!Send` task onto the current runtime (it runs on this thread).
///
/// # Panics
/// Outside of a runtime.
pub fn spawn_local<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    with_current("spawn_local", |s| s.spawn_local(future))
}
