//! `join!` runs futures concurrently on one task and returns all outputs; `select` returns
//! the first to finish.
use std::time::{Duration, Instant};

use awaitgraph::future::{Either, select};
use awaitgraph::time::sleep;
use awaitgraph::{block_on, join, yield_now};

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
