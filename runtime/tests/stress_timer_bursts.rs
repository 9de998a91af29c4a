//! Timers firing in bursts: many timers share a deadline; every one fires, none early, bursts
//! in deadline order; cancelled timers never wake their task.
mod common;

use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use awaitgraph::time::{sleep_until, timeout};
use awaitgraph::{Runtime, spawn};

#[test]
fn bursts_fire_complete_in_order_and_never_early() {
    common::with_watchdog(60, || {
        const BURSTS: usize = 5;
        const PER_BURST: usize = 4_000;
        let rt = Runtime::new();
        // (burst, whether the task found its deadline still ahead when it started waiting)
        let order = Arc::new(Mutex::new(Vec::with_capacity(BURSTS * PER_BURST)));
        // The base instant is fixed after every task is spawned, so the spawning time (long
        // under a sanitizer) does not eat into the first burst.
        let base: Arc<OnceLock<Instant>> = Arc::default();
        rt.block_on(async {
            let mut handles = Vec::new();
            // Spawn the late bursts first so heap order, not spawn order, decides.
            for burst in (0..BURSTS).rev() {
                for _ in 0..PER_BURST {
                    let (order, base) = (order.clone(), base.clone());
                    handles.push(spawn(async move {
                        let deadline = base.get().copied().expect("base set before tasks run")
                            + Duration::from_millis(150 + 30 * burst as u64);
                        let sleep = sleep_until(deadline);
                        let waited = !sleep.is_elapsed();
                        sleep.await;
                        assert!(Instant::now() >= deadline, "timer fired early");
                        order.lock().unwrap().push((burst, waited));
                    }));
                }
            }
            base.set(Instant::now()).unwrap();
            for h in handles {
                h.await.unwrap();
            }
        });
        let order = order.lock().unwrap();
        assert_eq!(order.len(), BURSTS * PER_BURST);
        // Tasks that really waited on the heap complete in deadline order. (On a machine so
        // slow that a deadline passed before its task first ran, that task completes at once,
        // in spawn order: it says nothing about the heap and is left out.)
        let waited: Vec<usize> = order.iter().filter(|(_, w)| *w).map(|(b, _)| *b).collect();
        assert!(waited.len() >= PER_BURST, "too few timers actually waited");
        assert!(
            waited.windows(2).all(|w| w[0] <= w[1]),
            "bursts completed out of order"
        );
    });
}

#[test]
fn cancelled_timers_do_not_fire() {
    common::with_watchdog(60, || {
        let rt = Runtime::new();
        rt.block_on(async {
            // 10k timeouts whose futures finish first: their timers are cancelled.
            for i in 0..10_000u32 {
                let r = timeout(Duration::from_millis(30), async move { i }).await;
                assert_eq!(r, Ok(i));
            }
            // A task whose pending sleep is aborted is never polled again.
            let polled_after = Arc::new(Mutex::new(false));
            let p = polled_after.clone();
            let mut h = spawn(async move {
                sleep_until(Instant::now() + Duration::from_millis(10)).await;
                *p.lock().unwrap() = true;
            });
            awaitgraph::yield_now().await; // let it register its timer
            h.abort();
            sleep_until(Instant::now() + Duration::from_millis(40)).await;
            assert!(!*polled_after.lock().unwrap());
            assert!(h.await.unwrap_err().is_cancelled());
        });
    });
}
