//! `spawn_blocking` runs on the pool while the executor keeps running other tasks.
mod common;

use std::sync::mpsc;
use std::time::Duration;

use awaitgraph::time::sleep;
use awaitgraph::{Runtime, spawn, spawn_blocking};

#[test]
fn blocking_job_does_not_stall_the_executor() {
    common::with_watchdog(30, || {
        let rt = Runtime::new();
        rt.block_on(async {
            let (done_tx, done_rx) = mpsc::channel::<u32>();
            // The blocking job waits (a blocking std recv) for a message that only an async task
            // sends: if the job ran on the executor thread, the task could never run and this
            // would deadlock (the watchdog turns that into a failure).
            let job = spawn_blocking(move || done_rx.recv().unwrap() * 3);
            let ticker = spawn(async move {
                let mut n = 0;
                for _ in 0..5 {
                    sleep(Duration::from_millis(1)).await;
                    n += 1;
                }
                done_tx.send(n).unwrap();
                n
            });
            assert_eq!(ticker.await.unwrap(), 5);
            assert_eq!(job.await.unwrap(), 15);
        });
    });
}

#[test]
fn blocking_panic_and_many_jobs() {
    Runtime::new().block_on(async {
        let e = spawn_blocking(|| panic!("blocking boom"))
            .await
            .unwrap_err();
        assert!(e.is_panic());
        // More jobs than the pool's thread limit still all complete.
        let hs: Vec<_> = (0..200u64)
            .map(|i| {
                spawn_blocking(move || {
                    std::thread::sleep(Duration::from_millis(1));
                    i
                })
            })
            .collect();
        let mut sum = 0;
        for h in hs {
            sum += h.await.unwrap();
        }
        assert_eq!(sum, (0..200).sum());
    });
}
