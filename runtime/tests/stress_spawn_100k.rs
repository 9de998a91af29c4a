//! 100k spawned tasks all run to completion and each handle yields its own task's output.
mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use awaitgraph::{Runtime, spawn, yield_now};

#[test]
fn hundred_thousand_tasks() {
    common::with_watchdog(60, || {
        let rt = Runtime::new();
        let ran = Arc::new(AtomicUsize::new(0));
        let sum = rt.block_on({
            let ran = ran.clone();
            async move {
                let handles: Vec<_> = (0..100_000u64)
                    .map(|i| {
                        let ran = ran.clone();
                        spawn(async move {
                            if i % 2 == 0 {
                                yield_now().await;
                            }
                            ran.fetch_add(1, Ordering::Relaxed);
                            i
                        })
                    })
                    .collect();
                // Nothing runs before the spawner yields: single thread, no preemption.
                assert_eq!(ran.load(Ordering::Relaxed), 0);
                let mut sum = 0;
                for (i, h) in handles.into_iter().enumerate() {
                    let v = h.await.unwrap();
                    assert_eq!(v, i as u64);
                    sum += v;
                }
                sum
            }
        });
        assert_eq!(ran.load(Ordering::Relaxed), 100_000);
        assert_eq!(sum, (0..100_000u64).sum::<u64>());
    });
}
