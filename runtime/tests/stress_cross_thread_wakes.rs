//! Wakers fired from other threads wake the runtime (no lost wake-ups), for spawned tasks and
//! for the `block_on` future, while the runtime is parked or busy.
mod common;

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::thread;

use awaitgraph::{Runtime, spawn};

/// A one-shot flag set by another thread.
#[derive(Default)]
struct Flag {
    set: AtomicBool,
    waker: Mutex<Option<Waker>>,
}

impl Flag {
    fn set(&self) {
        self.set.store(true, Ordering::SeqCst);
        if let Some(w) = self.waker.lock().unwrap().take() {
            w.wake();
        }
    }
}

struct WaitFlag(Arc<Flag>);

impl Future for WaitFlag {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0.set.load(Ordering::SeqCst) {
            return Poll::Ready(());
        }
        *self.0.waker.lock().unwrap() = Some(cx.waker().clone());
        // Re-check after registering: the setter may have run in between.
        if self.0.set.load(Ordering::SeqCst) {
            return Poll::Ready(());
        }
        Poll::Pending
    }
}

#[test]
fn wakes_from_other_threads_are_never_lost() {
    common::with_watchdog(60, || {
        const TASKS: usize = 2_000;
        const THREADS: usize = 4;
        let rt = Runtime::new();
        for _round in 0..5 {
            let flags: Vec<Arc<Flag>> = (0..TASKS).map(|_| Arc::default()).collect();
            let done = Arc::new(AtomicUsize::new(0));
            let main_flag = Arc::new(Flag::default());
            let handles: Vec<_> = flags
                .iter()
                .map(|f| {
                    let (f, done) = (f.clone(), done.clone());
                    rt.spawn(async move {
                        WaitFlag(f).await;
                        done.fetch_add(1, Ordering::SeqCst);
                    })
                })
                .collect();
            // Setter threads start at once, racing with the runtime's first polls and parks.
            let setters: Vec<_> = (0..THREADS)
                .map(|t| {
                    let flags = flags.clone();
                    let main_flag = main_flag.clone();
                    thread::spawn(move || {
                        for (i, f) in flags.iter().enumerate().skip(t).step_by(THREADS) {
                            f.set();
                            if i % 97 == 0 {
                                thread::yield_now();
                            }
                        }
                        if t == 0 {
                            main_flag.set();
                        }
                    })
                })
                .collect();
            rt.block_on(async {
                WaitFlag(main_flag).await;
                for h in handles {
                    h.await.unwrap();
                }
            });
            for s in setters {
                s.join().unwrap();
            }
            assert_eq!(done.load(Ordering::SeqCst), TASKS);
        }
    });
}

#[test]
fn a_parked_runtime_is_woken_by_another_thread() {
    common::with_watchdog(30, || {
        let rt = Runtime::new();
        for _ in 0..200 {
            let flag = Arc::new(Flag::default());
            let f2 = flag.clone();
            let setter = thread::spawn(move || {
                thread::sleep(std::time::Duration::from_micros(200));
                f2.set();
            });
            let h = rt.spawn(WaitFlag(flag));
            rt.block_on(async {
                spawn(async {}).await.unwrap();
                h.await.unwrap()
            });
            setter.join().unwrap();
        }
    });
}
