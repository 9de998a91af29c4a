//! Basic behaviour of each API piece (one assertion group per function).
use std::time::{Duration, Instant};

use awaitgraph::future::{Either, select};
use awaitgraph::time::{interval, sleep, timeout};
use awaitgraph::{Runtime, block_on, join, spawn, spawn_blocking, yield_now};

#[test]
fn spawn_and_join_handle() {
    let out = block_on(async {
        let h = spawn(async { 1 + 1 });
        h.await.unwrap()
    });
    assert_eq!(out, 2);
}

#[test]
fn join_macro_many() {
    let out = block_on(async {
        join!(
            async { 1 },
            async {
                yield_now().await;
                "two"
            },
            async { 3u8 },
            async { 4.0 }
        )
    });
    assert_eq!(out, (1, "two", 3u8, 4.0));
}

#[test]
fn join_sleeps_concurrently() {
    let start = Instant::now();
    block_on(async {
        join!(
            sleep(Duration::from_millis(100)),
            sleep(Duration::from_millis(100))
        );
    });
    let e = start.elapsed();
    assert!(e >= Duration::from_millis(100), "{e:?}");
    assert!(e < Duration::from_millis(190), "{e:?}");
}

#[test]
fn select_picks_first() {
    let r = block_on(select(sleep(Duration::from_secs(10)), async { 5 }));
    assert_eq!(r, Either::Right(5));
}

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
        assert_eq!(t1 - t0, Duration::from_millis(5));
        assert!(t2 > t1);
    });
}

#[test]
fn abort_cancels() {
    block_on(async {
        let mut h = spawn(sleep(Duration::from_secs(100)));
        h.abort();
        assert!(h.await.unwrap_err().is_cancelled());
    });
}

#[test]
fn panic_is_joined() {
    block_on(async {
        let h = spawn(async { panic!("boom") });
        let e = h.await.unwrap_err();
        assert!(e.is_panic());
        assert!(e.to_string().contains("boom"));
    });
}

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

#[awaitgraph::main]
async fn attr_main() -> u32 {
    yield_now().await;
    3
}

#[test]
fn main_attribute() {
    assert_eq!(attr_main(), 3);
}
