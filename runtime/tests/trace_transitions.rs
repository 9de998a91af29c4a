//! `trace::record` captures every transition of generated state machines, per task, with
//! counts and time per state; outside `record` nothing is recorded.
mod common;

use awaitgraph::{Runtime, spawn, trace};
use common::machine::count_yields;

#[test]
fn record_counts_transitions_per_fn_and_task() {
    let rt = Runtime::new();
    // Not recording: a run leaves no trace behind.
    assert_eq!(rt.block_on(count_yields(2)), 2);

    let (out, t) = trace::record(|| {
        rt.block_on(async {
            let a = spawn(count_yields(3));
            let b = spawn(count_yields(1));
            a.await.unwrap() + b.await.unwrap()
        })
    });
    assert_eq!(out, 4);

    let counts = t.transition_counts();
    // count_yields(3): U->S0, S0->S0 twice, S0->Returned; count_yields(1): U->S0, S0->Returned.
    assert_eq!(counts[&("count_yields", "Unresumed", "Suspend0")], 2);
    assert_eq!(counts[&("count_yields", "Suspend0", "Suspend0")], 2);
    assert_eq!(counts[&("count_yields", "Suspend0", "Returned")], 2);
    assert_eq!(counts.values().sum::<u64>(), 6);
    assert_eq!(t.events().len(), 6);

    // Events are attributed to the spawned tasks, not the block_on future (task 0).
    let tasks: std::collections::BTreeSet<u64> = t.events().iter().map(|e| e.task).collect();
    assert_eq!(tasks.len(), 2);
    assert!(!tasks.contains(&0));
    let paths = t.paths();
    let mut p: Vec<_> = paths.values().cloned().collect();
    p.sort();
    assert_eq!(
        p,
        vec![
            vec!["Unresumed", "Suspend0", "Returned"],
            vec!["Unresumed", "Suspend0", "Returned"]
        ]
    );

    let times = t.time_per_state();
    assert!(times.contains_key(&("count_yields", "Unresumed")));
    assert!(times.contains_key(&("count_yields", "Suspend0")));
    assert!(t.blocking().is_empty());

    let dot = t.to_dot("count_yields");
    assert!(
        dot.contains("\"Suspend0\" -> \"Suspend0\" [label=\"2\"]"),
        "{dot}"
    );
    let svg = t.to_timeline_svg();
    assert!(svg.starts_with("<svg"));
    assert_eq!(svg.matches("<title>").count(), 6); // one bar per poll
    assert!(
        t.to_string()
            .contains("count_yields: Unresumed -> Suspend0  x2")
    );

    // Tracing is off again after `record`.
    let (_, empty) = trace::record(|| ());
    rt.block_on(count_yields(2));
    assert!(empty.events().is_empty());
}
