//! Timers: [`sleep`], [`sleep_until`], [`timeout`], [`interval`].
//!
//! Each runtime keeps its timers in a binary heap of `(deadline, key)` over a slab of wakers.
//! Cancelling a timer (dropping a [`Sleep`]) removes its slab entry at once; its heap entry is
//! skipped when it reaches the top (and the heap is compacted when stale entries pile up). The
//! runtime's thread parks with the earliest deadline, so idle timers cost no CPU.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use slab::Slab;

use crate::executor::{Shared, current, lock};

/// The timers of one runtime.
#[derive(Default)]
pub(crate) struct Timers {
    /// Min-heap of `(deadline, slab key, id)`; `id` tells a live entry from a stale one whose
    /// slab key was reused.
    heap: BinaryHeap<Reverse<(Instant, usize, u64)>>,
    /// Live timers: `(id, waker)`.
    entries: Slab<(u64, Waker)>,
    next_id: u64,
}

impl Timers {
    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn insert(&mut self, deadline: Instant, waker: Waker) -> (usize, u64) {
        let id = self.next_id;
        self.next_id += 1;
        let key = self.entries.insert((id, waker));
        self.heap.push(Reverse((deadline, key, id)));
        (key, id)
    }

    /// Updates the waker of a live timer; returns false if it already fired.
    fn update(&mut self, key: usize, id: u64, waker: &Waker) -> bool {
        match self.entries.get_mut(key) {
            Some((eid, w)) if *eid == id => {
                if !w.will_wake(waker) {
                    w.clone_from(waker);
                }
                true
            }
            _ => false,
        }
    }

    fn remove(&mut self, key: usize, id: u64) {
        if self.entries.get(key).is_some_and(|(eid, _)| *eid == id) {
            self.entries.remove(key);
        }
        // Drop stale heap entries in bulk when they outnumber live ones.
        if self.heap.len() > 64 && self.heap.len() > 2 * self.entries.len() {
            let entries = &self.entries;
            self.heap
                .retain(|Reverse((_, k, id))| entries.get(*k).is_some_and(|(eid, _)| eid == id));
        }
    }

    fn is_live(&self, key: usize, id: u64) -> bool {
        self.entries.get(key).is_some_and(|(eid, _)| *eid == id)
    }

    /// Moves the wakers of all timers due at `now` into `out`.
    pub(crate) fn fire(&mut self, now: Instant, out: &mut Vec<Waker>) {
        while let Some(&Reverse((deadline, key, id))) = self.heap.peek() {
            if deadline > now {
                break;
            }
            self.heap.pop();
            if self.is_live(key, id) {
                out.push(self.entries.remove(key).1);
            }
        }
    }

    /// The earliest deadline of a live timer.
    pub(crate) fn next_deadline(&mut self) -> Option<Instant> {
        while let Some(&Reverse((deadline, key, id))) = self.heap.peek() {
            if self.is_live(key, id) {
                return Some(deadline);
            }
            self.heap.pop();
        }
        None
    }
}

/// A future that completes at a deadline. Created by [`sleep`] and [`sleep_until`].
///
/// It registers with the runtime that first polls it, and unregisters when dropped.
pub struct Sleep {
    deadline: Instant,
    registered: Option<(Arc<Shared>, usize, u64)>,
}

/// Completes after `duration`.
pub fn sleep(duration: Duration) -> Sleep {
    sleep_until(Instant::now() + duration)
}

/// Completes at `deadline` (at once if it has passed).
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep {
        deadline,
        registered: None,
    }
}

impl Sleep {
    /// The instant this future completes at.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Whether the deadline has passed.
    pub fn is_elapsed(&self) -> bool {
        Instant::now() >= self.deadline
    }

    /// Moves the deadline; the future can be polled again after it completed.
    pub fn reset(&mut self, deadline: Instant) {
        self.unregister();
        self.deadline = deadline;
    }

    fn unregister(&mut self) {
        if let Some((shared, key, id)) = self.registered.take() {
            lock(&shared.timers).remove(key, id);
        }
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if Instant::now() >= self.deadline {
            self.unregister();
            return Poll::Ready(());
        }
        let deadline = self.deadline;
        match &mut self.registered {
            Some((shared, key, id)) => {
                let mut timers = lock(&shared.timers);
                if !timers.update(*key, *id, cx.waker()) {
                    // Fired, yet the clock says not yet: cannot happen with a monotonic
                    // clock, but re-arming is always correct.
                    (*key, *id) = timers.insert(deadline, cx.waker().clone());
                }
            }
            None => {
                let shared = current("sleep");
                let (key, id) = lock(&shared.timers).insert(deadline, cx.waker().clone());
                self.registered = Some((shared, key, id));
            }
        }
        Poll::Pending
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        self.unregister();
    }
}

impl fmt::Debug for Sleep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sleep")
            .field("deadline", &self.deadline)
            .finish()
    }
}

/// The error of a [`timeout`] whose deadline passed first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elapsed;

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("deadline has elapsed")
    }
}

impl std::error::Error for Elapsed {}

pin_project_lite::pin_project! {
    /// A future with a deadline. Created by [`timeout`].
    #[derive(Debug)]
    pub struct Timeout<F> {
        #[pin]
        future: F,
        sleep: Sleep,
    }
}

/// Runs `future` for at most `duration`: `Ok(output)`, or `Err(Elapsed)` (dropping the future)
/// if it did not complete in time. The future is polled before the deadline is checked.
pub fn timeout<F: Future>(duration: Duration, future: F) -> Timeout<F> {
    Timeout {
        future,
        sleep: sleep(duration),
    }
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Poll::Ready(v) = this.future.poll(cx) {
            return Poll::Ready(Ok(v));
        }
        Pin::new(this.sleep).poll(cx).map(|()| Err(Elapsed))
    }
}

/// Ticks every `period`; see [`interval`].
#[derive(Debug)]
pub struct Interval {
    period: Duration,
    sleep: Sleep,
}

/// A stream of ticks: the first [`tick`](Interval::tick) completes at once, then one every
/// `period`, on a fixed schedule (start + k * period). If ticks were missed (the task was busy),
/// the next tick completes at once and the schedule restarts from then, without a burst.
///
/// # Panics
/// If `period` is zero.
pub fn interval(period: Duration) -> Interval {
    assert!(!period.is_zero(), "`interval` period must be non-zero");
    Interval {
        period,
        sleep: sleep_until(Instant::now()),
    }
}

impl Interval {
    /// Waits for the next tick; returns its scheduled instant.
    pub async fn tick(&mut self) -> Instant {
        core::future::poll_fn(|cx| self.poll_tick(cx)).await
    }

    /// Polls for the next tick.
    pub fn poll_tick(&mut self, cx: &mut Context<'_>) -> Poll<Instant> {
        if Pin::new(&mut self.sleep).poll(cx).is_pending() {
            return Poll::Pending;
        }
        let scheduled = self.sleep.deadline();
        let now = Instant::now();
        let mut next = scheduled + self.period;
        if next <= now {
            next = now + self.period;
        }
        self.sleep.reset(next);
        Poll::Ready(scheduled)
    }

    /// The period.
    pub fn period(&self) -> Duration {
        self.period
    }
}
