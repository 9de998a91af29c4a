//! `AWAITGRAPH_TRACE=blocking` turns the blocking detector on for the whole process, without
//! `record`.
mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use awaitgraph::{Runtime, trace};
use common::machine::{blocks_then_yields, count_yields};

#[test]
fn env_var_enables_blocking_reports() {
    // SAFETY: this file has a single test, and nothing else in the process reads or writes
    // the environment while it runs.
    unsafe { std::env::set_var("AWAITGRAPH_TRACE", "blocking") };
    let rt = Runtime::new(); // reads the variable
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    trace::set_blocking_hook(Some(Box::new(move |b| s.lock().unwrap().push(b.fn_name))));
    rt.block_on(async {
        count_yields(3).await;
        blocks_then_yields(Duration::from_millis(30)).await;
    });
    assert_eq!(*seen.lock().unwrap(), vec!["blocks_then_yields"]);
    // `record` still works, and tracing stays on after it (the variable asked for it).
    let (_, t) = trace::record(|| rt.block_on(count_yields(1)));
    assert_eq!(t.events().len(), 2);
    rt.block_on(blocks_then_yields(Duration::from_millis(30)));
    assert_eq!(seen.lock().unwrap().len(), 2);
}
