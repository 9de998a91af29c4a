//! A `JoinHandle` yields the task's output, `Cancelled` after abort, `Panic` after a panic.
use std::time::Duration;

use awaitgraph::time::sleep;
use awaitgraph::{block_on, spawn};

#[test]
fn spawn_and_join_handle() {
    let out = block_on(async {
        let h = spawn(async { 1 + 1 });
        h.await.unwrap()
    });
    assert_eq!(out, 2);
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
