//! The blocking detector reports a poll longer than the threshold with its fn and state, to
//! the hook and in the trace; short polls are not reported.
mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use awaitgraph::{block_on, trace};
use common::machine::{blocks_then_yields, count_yields};

#[test]
fn long_poll_is_reported_with_fn_and_state() {
    assert_eq!(trace::blocking_threshold(), Duration::from_millis(10));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    trace::set_blocking_hook(Some(Box::new(move |b| s.lock().unwrap().push(b.clone()))));

    let ((), t) = trace::record(|| {
        block_on(async {
            blocks_then_yields(Duration::from_millis(30)).await;
            count_yields(5).await;
        })
    });

    let b = t.blocking();
    assert_eq!(b.len(), 1, "{b:?}");
    assert_eq!(b[0].fn_name, "blocks_then_yields");
    assert_eq!(b[0].state, "Unresumed");
    assert_eq!(b[0].to, "Suspend0");
    assert!(b[0].duration >= Duration::from_millis(30));
    assert!(b[0].to_string().contains("spawn_blocking"));
    assert_eq!(*seen.lock().unwrap(), b.to_vec());

    // A raised threshold hides it.
    trace::set_blocking_threshold(Duration::from_secs(5));
    let ((), t) = trace::record(|| block_on(blocks_then_yields(Duration::from_millis(30))));
    assert!(t.blocking().is_empty());
    assert_eq!(t.events().len(), 2);
    trace::set_blocking_hook(None);
}
