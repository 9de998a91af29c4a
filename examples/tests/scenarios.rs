//! Runs each scenario and checks what happened. Timing bounds are generous (the machine may be
//! loaded); where possible the checks are logical (order, counts, which fn and state).

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use awaitgraph_examples::{
    blocking_detector, channel, diagrams_of, fetch_sleep, join, module_diagram_dir, rc_vs_arc,
    spawn, spawn_blocking,
};

/// The scenarios measure time and the tracer is process-wide: run them one at a time.
fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// Every annotated fn of the scenarios: (module, fn).
const ANNOTATED: &[(&str, &str)] = &[
    ("fetch_sleep", "fetch"),
    ("fetch_sleep", "fetch_len"),
    ("join", "fetch"),
    ("join", "sequential"),
    ("join", "joined"),
    ("spawn", "ticker"),
    ("spawn", "work"),
    ("channel", "producer"),
    ("channel", "consumer"),
    ("spawn_blocking", "ticker"),
    ("spawn_blocking", "job_inline"),
    ("spawn_blocking", "job_on_pool"),
    ("blocking_detector", "handle_request"),
    ("rc_vs_arc", "total_rc"),
    ("rc_vs_arc", "total_arc"),
];

#[test]
fn fetch_sleeps_then_returns_and_question_mark_propagates_the_error() {
    let _g = serial();
    let out = fetch_sleep::run();
    let (data, took) = out.fetched;
    assert_eq!(
        data,
        Ok(fetch_sleep::Data {
            id: 7,
            body: "item #7".into()
        })
    );
    // A timer never fires early.
    assert!(took >= fetch_sleep::FETCH_DELAY, "{took:?}");
    assert!(took < 5 * fetch_sleep::FETCH_DELAY, "{took:?}");
    assert_eq!(out.len_ok, Ok(7));
    let (err, took) = out.len_err;
    assert_eq!(err, Err(fetch_sleep::FetchError::NotFound(0)));
    assert!(took >= fetch_sleep::FETCH_DELAY, "{took:?}");
}

#[test]
fn join_runs_both_fetches_concurrently() {
    let _g = serial();
    let out = join::run();
    assert_eq!(out.joined_out, out.sequential_out);
    assert_eq!(
        out.joined_out,
        ("users: 500 bytes".into(), "orders: 600 bytes".into())
    );
    assert!(out.single >= join::FETCH_DELAY, "{out:?}");
    assert!(out.sequential >= 2 * join::FETCH_DELAY, "{out:?}");
    assert!(out.joined >= join::FETCH_DELAY, "{out:?}");
    assert!(
        out.joined.as_secs_f64() < 1.6 * out.single.as_secs_f64(),
        "join! should take about one fetch: {out:?}"
    );
    assert!(
        out.joined.as_secs_f64() > 0.9 * out.single.as_secs_f64(),
        "{out:?}"
    );
}

#[test]
fn spawned_ticker_runs_beside_the_main_task_and_abort_stops_it() {
    let _g = serial();
    let out = spawn::run();
    assert_eq!(out.steps_done, spawn::STEPS);
    assert!(out.work_time >= spawn::STEP * spawn::STEPS, "{out:?}");
    // 200 ms of work at a 10 ms period: about 20 ticks; a loaded machine may lose some.
    assert!(out.ticks_during_work >= 5, "{out:?}");
    assert!(out.running_before_abort, "{out:?}");
    assert!(
        matches!(&out.aborted, Err(e) if e.is_cancelled()),
        "{out:?}"
    );
    assert_eq!(
        out.ticks_after_abort, out.ticks_at_abort,
        "an aborted task must not tick"
    );
    assert!(out.ticks_at_abort >= out.ticks_during_work);
    assert_eq!(out.awaited.as_ref().ok(), Some(&5), "{out:?}");
}

#[test]
fn channel_delivers_every_item_in_order_within_capacity() {
    let _g = serial();
    let out = channel::run();
    assert_eq!(out.sent.as_ref().ok(), Some(&channel::ITEMS));
    assert_eq!(out.received, (0..channel::ITEMS).collect::<Vec<_>>());
    // Bounded: never more than the capacity waiting; the fast producer filled it beyond one.
    assert!(out.max_waiting <= channel::CAPACITY, "{out:?}");
    assert!(out.max_waiting >= 2, "{out:?}");
    // The consumer's per-item time dominates: at least ITEMS * CONSUME.
    assert!(
        out.elapsed >= channel::CONSUME * channel::ITEMS,
        "{:?}",
        out.elapsed
    );
}

#[test]
fn spawn_blocking_keeps_the_ticker_ticking() {
    let _g = serial();
    let out = spawn_blocking::run();
    for run in [&out.inline, &out.pooled] {
        assert!(run.primes.0 > 100, "{run:?}");
        assert!(run.job_time >= spawn_blocking::JOB, "{run:?}");
    }
    // Inline, the ticker cannot tick while the job runs: one gap spans the whole job.
    assert!(
        out.inline.max_gap() >= spawn_blocking::JOB * 95 / 100,
        "{:?}",
        out.inline.max_gap()
    );
    // On the blocking pool, it keeps ticking: its longest gap is far below the job's time
    // (the period is 10 ms, the job 300 ms) and it ticked during the job.
    assert!(
        out.pooled.max_gap() < spawn_blocking::JOB / 2,
        "{:?}",
        out.pooled.gaps
    );
    assert!(out.pooled.gaps.len() >= 10, "{:?}", out.pooled.gaps);
    assert!(out.pooled.gaps.len() > out.inline.gaps.len());
}

#[test]
fn blocking_detector_reports_the_annotated_fn_and_its_state() {
    let _g = serial();
    let out = blocking_detector::run();
    assert_eq!(out.result, 42);
    assert_eq!(out.blocking.len(), 1, "{:?}", out.blocking);
    let b = &out.blocking[0];
    assert_eq!(b.fn_name, "handle_request");
    // The blocking call follows the first await: the poll that blocked resumed from Suspend0
    // and ran to the next await.
    assert_eq!((b.state, b.to), ("Suspend0", "Suspend1"), "{b:?}");
    // ... on the way to the `.await` on the line after the blocking call.
    let src = include_str!("../src/blocking_detector.rs");
    let line = src
        .lines()
        .position(|l| l.contains("yield_now().await"))
        .map(|i| i as u32 + 1);
    assert_eq!(Some(b.line), line, "{b:?}");
    assert!(b.duration >= blocking_detector::BLOCK, "{b:?}");
    assert_eq!(
        out.trace.paths().into_values().collect::<Vec<_>>(),
        vec![vec!["Unresumed", "Suspend0", "Suspend1", "Returned"]]
    );
}

#[test]
fn rc_version_runs_locally_and_arc_version_spawns() {
    let _g = serial();
    let out = rc_vs_arc::run();
    assert_eq!(out.spawned_arc.as_ref().ok(), Some(&10));
    assert_eq!(out.local_rc.as_ref().ok(), Some(&10));
    assert!(rc_vs_arc::is_send(&rc_vs_arc::total_arc(Vec::new())));
}

#[test]
fn every_annotated_fn_has_its_diagrams() {
    for (module, func) in ANNOTATED {
        let files = diagrams_of(module, func);
        for path in &files {
            if path.extension().is_some_and(|e| e == "mmd") {
                continue;
            }
            assert!(path.is_file(), "missing diagram {}", path.display());
        }
        let dot = std::fs::read_to_string(&files[1]).unwrap();
        assert!(dot.starts_with("digraph"), "{}", files[1].display());
        for state in ["Unresumed", "Suspend0", "Returned", "Panicked"] {
            assert!(dot.contains(state), "{state} not in {}", files[1].display());
        }
    }
}

#[test]
fn diagram_of_the_rc_fn_warns_about_the_rc() {
    let warning = "an Rc held across .await: the future is not Send";
    let dot = |func| std::fs::read_to_string(&diagrams_of("rc_vs_arc", func)[1]).unwrap();
    assert!(dot("total_rc").contains(warning));
    assert!(!dot("total_arc").contains(warning));
}

#[test]
fn diagrams_are_under_crate_and_module_path() {
    for (module, func) in ANNOTATED {
        let dot = module_diagram_dir(module).join(format!("{func}.dot"));
        assert!(dot.is_file(), "missing {}", dot.display());
    }
}

#[test]
fn timings_are_sane() {
    // Guards the constants the other tests' bounds rely on.
    assert!(spawn_blocking::TICK * 10 < spawn_blocking::JOB);
    assert!(spawn::TICK < spawn::STEP);
    assert!(Duration::from_millis(10) < blocking_detector::BLOCK);
}
