//! Tasks dropped while pending: abort, and dropping the runtime, drop every unfinished
//! future exactly once, on the runtime's thread, even when other threads still hold or fire
//! their wakers.
mod common;

use std::future::pending;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Poll, Waker};
use std::thread;
use std::time::Duration;

use awaitgraph::sync::{mpsc, oneshot};
use awaitgraph::time::sleep;
use awaitgraph::{Runtime, spawn_local};
use common::DropCounter;

#[test]
fn abort_drops_the_pending_future() {
    common::with_watchdog(30, || {
        let rt = Runtime::new();
        let drops = Arc::new(AtomicUsize::new(0));
        rt.block_on(async {
            let mut handles: Vec<_> = (0..10_000)
                .map(|_| {
                    let guard = DropCounter(drops.clone());
                    awaitgraph::spawn(async move {
                        let _guard = guard;
                        pending::<()>().await;
                    })
                })
                .collect();
            awaitgraph::yield_now().await; // all of them are now pending
            assert_eq!(drops.load(Ordering::SeqCst), 0);
            for h in &mut handles {
                h.abort();
            }
            for h in handles {
                assert!(h.await.unwrap_err().is_cancelled());
            }
            // The executor drops the cancelled futures in its next rounds (128 tasks a round).
            for _ in 0..1_000 {
                if drops.load(Ordering::SeqCst) == 10_000 {
                    break;
                }
                awaitgraph::yield_now().await;
            }
            assert_eq!(drops.load(Ordering::SeqCst), 10_000);
        });
    });
}

#[test]
fn dropping_the_runtime_drops_pending_tasks_with_foreign_wakers() {
    common::with_watchdog(30, || {
        let drops = Arc::new(AtomicUsize::new(0));
        let stolen: Arc<Mutex<Vec<Waker>>> = Arc::default();
        let rt = Runtime::new();
        let (_keep_tx, rx) = mpsc::unbounded_channel::<()>();
        let rx = Arc::new(Mutex::new(Some(rx)));
        let mut oneshots = Vec::new();
        let started = Arc::new(AtomicUsize::new(0));
        rt.block_on(async {
            for i in 0..3_000 {
                // Counted when the task first runs, i.e. just before it reaches its await.
                let guard = (DropCounter(drops.clone()), Started(started.clone()));
                let stolen = stolen.clone();
                match i % 5 {
                    // Waker handed to another thread, fired after the runtime is gone.
                    0 => awaitgraph::spawn(async move {
                        let _guard = guard;
                        _guard.1.mark();
                        std::future::poll_fn(|cx| {
                            stolen.lock().unwrap().push(cx.waker().clone());
                            Poll::<()>::Pending
                        })
                        .await;
                    })
                    .detach(),
                    // Long sleeps: waker in the timer heap.
                    1 => awaitgraph::spawn(async move {
                        let _guard = guard;
                        _guard.1.mark();
                        sleep(Duration::from_secs(3600)).await;
                    })
                    .detach(),
                    // A oneshot whose sender outlives the runtime.
                    2 => {
                        let (tx, orx) = oneshot::channel::<()>();
                        oneshots.push(tx);
                        awaitgraph::spawn(async move {
                            let _guard = guard;
                            _guard.1.mark();
                            let _ = orx.await;
                        })
                        .detach();
                    }
                    // `!Send` futures must be dropped on this thread.
                    3 => spawn_local(async move {
                        let _guard = guard;
                        _guard.1.mark();
                        let _not_send = std::rc::Rc::new(());
                        pending::<()>().await;
                    })
                    .detach(),
                    // Waiting on a channel (only the first holds the receiver).
                    _ => {
                        let rx = rx.lock().unwrap().take();
                        awaitgraph::spawn(async move {
                            let _guard = guard;
                            _guard.1.mark();
                            if let Some(mut rx) = rx {
                                rx.recv().await;
                            } else {
                                pending::<()>().await;
                            }
                        })
                        .detach();
                    }
                }
            }
            // Let every task reach its await (the executor runs 128 tasks between two polls
            // of this future).
            while started.load(Ordering::SeqCst) < 3_000 {
                awaitgraph::yield_now().await;
            }
        });
        assert_eq!(
            drops.load(Ordering::SeqCst),
            0,
            "tasks dropped before the runtime"
        );
        drop(rt);
        assert_eq!(drops.load(Ordering::SeqCst), 3_000);
        // Wakers and senders used after the runtime is gone, from other threads.
        let wakers = std::mem::take(&mut *stolen.lock().unwrap());
        assert_eq!(wakers.len(), 600);
        let t = thread::spawn(move || {
            for w in wakers {
                w.wake();
            }
            for tx in oneshots {
                let _ = tx.send(());
            }
        });
        t.join().unwrap();
        assert_eq!(drops.load(Ordering::SeqCst), 3_000);
    });
}

/// Counts the first poll of the task that owns it (it is touched by the task's first poll).
struct Started(Arc<AtomicUsize>);

impl Started {
    fn mark(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn dropped_join_handle_detaches() {
    let rt = Runtime::new();
    let (tx, rx) = oneshot::channel();
    rt.block_on(async {
        drop(awaitgraph::spawn(async move {
            sleep(Duration::from_millis(5)).await;
            tx.send(1).unwrap();
        }));
        assert_eq!(rx.await, Ok(1));
    });
}
