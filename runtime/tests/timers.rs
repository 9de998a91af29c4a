//! `timeout` and `interval` behave as documented.
use std::time::Duration;

use awaitgraph::block_on;
use awaitgraph::time::{interval, sleep, timeout};

#[test]
fn timeout_elapses_and_passes() {
    block_on(async {
        assert!(
            timeout(Duration::from_millis(10), sleep(Duration::from_secs(10)))
                .await
                .is_err()
        );
        assert_eq!(timeout(Duration::from_secs(10), async { 7 }).await, Ok(7));
    });
}

#[test]
fn interval_ticks_on_schedule() {
    block_on(async {
        let mut iv = interval(Duration::from_millis(5));
        let t0 = iv.tick().await;
        let t1 = iv.tick().await;
        let t2 = iv.tick().await;
        // Scheduled instants are at least a period apart (exactly one unless ticks were missed).
        assert!(t1 - t0 >= Duration::from_millis(5), "{:?}", t1 - t0);
        assert!(t2 - t1 >= Duration::from_millis(5), "{:?}", t2 - t1);
        assert!(std::time::Instant::now() >= t2);
    });
}
