//! `spawn_blocking` runs on the pool while the executor keeps running other tasks.
use std::time::Duration;

use awaitgraph::time::sleep;
use awaitgraph::{Runtime, spawn, spawn_blocking};

#[test]
fn spawn_blocking_does_not_stall() {
    let rt = Runtime::new();
    rt.block_on(async {
        let h = spawn_blocking(|| {
            std::thread::sleep(Duration::from_millis(50));
            9
        });
        // The executor keeps running other tasks while the blocking job runs.
        let ticks = spawn(async {
            let mut n = 0;
            for _ in 0..5 {
                sleep(Duration::from_millis(1)).await;
                n += 1;
            }
            n
        });
        assert_eq!(ticks.await.unwrap(), 5);
        assert_eq!(h.await.unwrap(), 9);
    });
}
