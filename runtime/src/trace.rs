//! State tracing: which states generated futures went through, and how long each poll took.
//!
//! Needs the crate feature `trace` (`awaitgraph = { version = "..", features = ["trace"] }`):
//! without it generated futures never check for tracing and record nothing. With it, tracing is
//! off until turned on and then costs one relaxed atomic load per poll of a generated future
//! (measured: up to 2x the instructions of a tight polling loop, because the check keeps the
//! optimizer from treating the state as local). Turn it on for a closure with [`record`], which
//! returns a [`Trace`]:
//!
//! ```
//! let ((), trace) = awaitgraph::trace::record(|| awaitgraph::block_on(async { /* ... */ }));
//! for ((f, from, to), n) in trace.transition_counts() {
//!     println!("{f}: {from} -> {to} x{n}");
//! }
//! ```
//!
//! or for the whole process with the environment variable `AWAITGRAPH_TRACE` (read when the
//! first runtime is created): `AWAITGRAPH_TRACE=1` prints every transition to stderr,
//! `AWAITGRAPH_TRACE=blocking` only the blocking polls.
//!
//! While tracing is on, a poll that runs longer than [`blocking_threshold`] (10 ms unless
//! changed with [`set_blocking_threshold`]) is reported as [`Blocking`]: to the blocking hook
//! (stderr by default, see [`set_blocking_hook`]) and in the recorded trace.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, Once};
use std::time::{Duration, Instant};

use crate::executor::{TaskId, lock};

static ENABLED: AtomicBool = AtomicBool::new(false);
static THRESHOLD_NANOS: AtomicU64 = AtomicU64::new(10_000_000);
static RECORDER: Mutex<Recorder> = Mutex::new(Recorder {
    depth: 0,
    env: EnvMode::Off,
    start: None,
    events: Vec::new(),
    blocking: Vec::new(),
});
/// What is done with each blocking poll (see [`set_blocking_hook`]).
pub type BlockingHook = Box<dyn Fn(&Blocking) + Send + Sync>;
/// The blocking hook; `None` prints to stderr.
static HOOK: Mutex<Option<BlockingHook>> = Mutex::new(None);

thread_local! {
    static CURRENT_TASK: Cell<TaskId> = const { Cell::new(0) };
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum EnvMode {
    Off,
    All,
    Blocking,
}

struct Recorder {
    /// Nesting depth of `record` calls.
    depth: usize,
    env: EnvMode,
    start: Option<Instant>,
    events: Vec<Event>,
    blocking: Vec<Blocking>,
}

/// Whether tracing is on. Checked on every poll of a generated future: must stay one relaxed
/// atomic load.
#[inline(always)]
pub(crate) fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// Called by the executor before it polls a task (only while tracing is on).
pub(crate) fn set_current_task(id: TaskId) {
    CURRENT_TASK.with(|c| c.set(id));
}

/// Reads `AWAITGRAPH_TRACE` once per process.
pub(crate) fn init_from_env() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let mode = match std::env::var("AWAITGRAPH_TRACE").as_deref() {
            Ok("blocking") => EnvMode::Blocking,
            Ok("" | "0" | "false" | "off") | Err(_) => EnvMode::Off,
            Ok(_) => EnvMode::All,
        };
        if mode != EnvMode::Off {
            let mut r = lock(&RECORDER);
            r.env = mode;
            r.start.get_or_insert_with(Instant::now);
            ENABLED.store(true, Ordering::Relaxed);
        }
    });
}

/// One poll of a generated future.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// The task that polled it: `0` for the future passed to `block_on`, else the spawned
    /// task's id (in spawn order, from 1).
    pub task: u64,
    /// The annotated fn.
    pub fn_name: &'static str,
    /// The state before the poll.
    pub from: &'static str,
    /// The state after the poll (`Returned` once it completed).
    pub to: &'static str,
    /// When the poll started, from the start of the recording.
    pub start: Duration,
    /// How long the poll took (including the awaitee it polled).
    pub duration: Duration,
}

/// A poll that ran longer than the blocking threshold: the executor thread was blocked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocking {
    /// The task that polled it (see [`Event::task`]).
    pub task: u64,
    /// The annotated fn.
    pub fn_name: &'static str,
    /// The state the poll started in: the blocking code ran after this state's await
    /// (`Unresumed`: before the first await).
    pub state: &'static str,
    /// The state the poll ended in.
    pub to: &'static str,
    /// How long the poll took.
    pub duration: Duration,
    /// The threshold in force.
    pub threshold: Duration,
}

impl fmt::Display for Blocking {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "awaitgraph: blocking poll: `{}` ran {:?} (threshold {:?}) from state {} to {} \
             without yielding (task {}); move blocking work to `spawn_blocking`",
            self.fn_name, self.duration, self.threshold, self.state, self.to, self.task
        )
    }
}

/// The threshold above which a traced poll is reported as [`Blocking`].
pub fn blocking_threshold() -> Duration {
    Duration::from_nanos(THRESHOLD_NANOS.load(Ordering::Relaxed))
}

/// Sets the blocking threshold (default 10 ms).
pub fn set_blocking_threshold(threshold: Duration) {
    let nanos = u64::try_from(threshold.as_nanos()).unwrap_or(u64::MAX);
    THRESHOLD_NANOS.store(nanos, Ordering::Relaxed);
}

/// Sets what is done with each blocking poll (besides recording it); `None` restores the
/// default, which prints it to stderr.
pub fn set_blocking_hook(hook: Option<BlockingHook>) {
    *lock(&HOOK) = hook;
}

/// Runs `f` with tracing on and returns its result and the trace of every generated future
/// polled meanwhile (on any thread). Calls may nest; each gets the events of its own span.
pub fn record<R>(f: impl FnOnce() -> R) -> (R, Trace) {
    let (events_from, blocking_from) = {
        let mut r = lock(&RECORDER);
        r.depth += 1;
        r.start.get_or_insert_with(Instant::now);
        ENABLED.store(true, Ordering::Relaxed);
        (r.events.len(), r.blocking.len())
    };
    struct Stop;
    impl Drop for Stop {
        fn drop(&mut self) {
            let mut r = lock(&RECORDER);
            r.depth -= 1;
            if r.depth == 0 {
                r.events = Vec::new();
                r.blocking = Vec::new();
                if r.env == EnvMode::Off {
                    r.start = None;
                    ENABLED.store(false, Ordering::Relaxed);
                }
            }
        }
    }
    let stop = Stop;
    let out = f();
    let trace = {
        let r = lock(&RECORDER);
        Trace {
            events: r.events[events_from.min(r.events.len())..].to_vec(),
            blocking: r.blocking[blocking_from.min(r.blocking.len())..].to_vec(),
        }
    };
    drop(stop);
    (out, trace)
}

/// The clock reading that starts a traced poll.
#[cfg(feature = "trace")]
#[inline(never)]
pub(crate) fn start() -> Instant {
    Instant::now()
}

/// Records one traced poll of a generated future. Takes no pointer into the future, so the
/// untraced path keeps the future's state out of memory the optimizer must assume escapes.
#[cfg(feature = "trace")]
#[cold]
#[inline(never)]
pub(crate) fn finish(
    fn_name: &'static str,
    from: &'static str,
    to: &'static str,
    started: Instant,
) {
    report(fn_name, from, to, started, started.elapsed());
}

#[cfg(feature = "trace")]
fn report(
    fn_name: &'static str,
    from: &'static str,
    to: &'static str,
    started: Instant,
    duration: Duration,
) {
    let task = CURRENT_TASK.try_with(Cell::get).unwrap_or(0);
    let threshold = blocking_threshold();
    let blocking = (duration >= threshold).then_some(Blocking {
        task,
        fn_name,
        state: from,
        to,
        duration,
        threshold,
    });
    {
        let mut r = lock(&RECORDER);
        if r.env == EnvMode::All {
            eprintln!("awaitgraph: task {task} `{fn_name}` {from} -> {to} ({duration:?})");
        }
        if r.depth > 0 {
            let start = r
                .start
                .map_or(Duration::ZERO, |s| started.saturating_duration_since(s));
            r.events.push(Event {
                task,
                fn_name,
                from,
                to,
                start,
                duration,
            });
            if let Some(b) = &blocking {
                r.blocking.push(b.clone());
            }
        }
    }
    if let Some(b) = blocking {
        match &*lock(&HOOK) {
            Some(hook) => hook(&b),
            None => eprintln!("{b}"),
        }
    }
}

/// A recorded trace: every poll of a generated future while [`record`] ran.
#[derive(Debug, Clone, Default)]
pub struct Trace {
    events: Vec<Event>,
    blocking: Vec<Blocking>,
}

impl Trace {
    /// Every poll, in the order they ended.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// The polls that exceeded the blocking threshold.
    pub fn blocking(&self) -> &[Blocking] {
        &self.blocking
    }

    /// How often each transition `(fn, from, to)` was taken. A poll that stayed in its state
    /// (`Pending` from the same await) counts as `from -> from`.
    pub fn transition_counts(&self) -> BTreeMap<(&'static str, &'static str, &'static str), u64> {
        let mut m = BTreeMap::new();
        for e in &self.events {
            *m.entry((e.fn_name, e.from, e.to)).or_insert(0) += 1;
        }
        m
    }

    /// Total poll time per `(fn, state)`, attributed to the state each poll started in.
    pub fn time_per_state(&self) -> BTreeMap<(&'static str, &'static str), Duration> {
        let mut m = BTreeMap::new();
        for e in &self.events {
            *m.entry((e.fn_name, e.from)).or_insert(Duration::ZERO) += e.duration;
        }
        m
    }

    /// The states each traced fn visited, in order, per task: `(task, fn) -> [Unresumed, ...]`.
    pub fn paths(&self) -> BTreeMap<(u64, &'static str), Vec<&'static str>> {
        let mut m: BTreeMap<(u64, &'static str), Vec<&'static str>> = BTreeMap::new();
        for e in &self.events {
            let path = m.entry((e.task, e.fn_name)).or_default();
            if path.last() != Some(&e.from) {
                path.push(e.from);
            }
            if e.to != e.from {
                path.push(e.to);
            }
        }
        m
    }

    /// The transitions of `fn_name` as a Graphviz digraph: edges labelled with how often they
    /// were taken, states with the poll time spent in them.
    pub fn to_dot(&self, fn_name: &str) -> String {
        let mut times: BTreeMap<&str, Duration> = BTreeMap::new();
        let mut edges: BTreeMap<(&str, &str), u64> = BTreeMap::new();
        for e in self.events.iter().filter(|e| e.fn_name == fn_name) {
            *times.entry(e.from).or_default() += e.duration;
            times.entry(e.to).or_default();
            *edges.entry((e.from, e.to)).or_default() += 1;
        }
        let mut out = format!("digraph \"{}\" {{\n  node [shape=box];\n", escape(fn_name));
        for (state, t) in &times {
            let _ = writeln!(out, "  \"{state}\" [label=\"{state}\\n{t:?}\"];");
        }
        for ((from, to), n) in &edges {
            let _ = writeln!(out, "  \"{from}\" -> \"{to}\" [label=\"{n}\"];");
        }
        out.push_str("}\n");
        out
    }

    /// A timeline per task as SVG: one row per task, one bar per poll (width = poll time,
    /// at least one pixel), coloured by state; bars over the blocking threshold are outlined
    /// red. Hovering a bar shows fn, transition and duration.
    pub fn to_timeline_svg(&self) -> String {
        const LEFT: f64 = 80.0;
        const WIDTH: f64 = 1000.0;
        const ROW: f64 = 22.0;
        let tasks: std::collections::BTreeSet<u64> = self.events.iter().map(|e| e.task).collect();
        let rows: BTreeMap<u64, usize> = tasks.iter().enumerate().map(|(i, t)| (*t, i)).collect();
        let t0 = self
            .events
            .iter()
            .map(|e| e.start)
            .min()
            .unwrap_or_default();
        let t1 = self
            .events
            .iter()
            .map(|e| e.start + e.duration)
            .max()
            .unwrap_or_default();
        let span = (t1 - t0).as_secs_f64().max(1e-9);
        let x = |d: Duration| LEFT + (d - t0).as_secs_f64() / span * WIDTH;
        let states: std::collections::BTreeSet<&str> = self.events.iter().map(|e| e.from).collect();
        let height = 50.0 + ROW * rows.len() as f64;
        let mut out = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{height}\" \
             font-family=\"monospace\" font-size=\"11\">\n",
            LEFT + WIDTH + 20.0
        );
        let axis = height - 26.0;
        let _ = writeln!(
            out,
            "<text x=\"{LEFT}\" y=\"{axis}\">0</text><text x=\"{}\" y=\"{axis}\" text-anchor=\"end\">{:?}</text>",
            LEFT + WIDTH,
            t1 - t0
        );
        // Legend: the colour of each state a poll started in.
        let mut lx = LEFT;
        for state in &states {
            let _ = writeln!(
                out,
                "<rect x=\"{lx}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{}\"/><text x=\"{}\" y=\"{}\">{}</text>",
                height - 16.0,
                color(state),
                lx + 14.0,
                height - 7.0,
                escape(state)
            );
            lx += 24.0 + 7.0 * state.len() as f64;
        }
        for (task, row) in &rows {
            let y = 4.0 + ROW * *row as f64;
            let _ = writeln!(
                out,
                "<text x=\"4\" y=\"{}\">task {task}</text><line x1=\"{LEFT}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#ddd\"/>",
                y + 13.0,
                y + ROW / 2.0,
                LEFT + WIDTH,
                y + ROW / 2.0
            );
        }
        let threshold = blocking_threshold();
        for e in &self.events {
            let y = 4.0 + ROW * rows[&e.task] as f64 + 2.0;
            let x0 = x(e.start);
            let w = (x(e.start + e.duration) - x0).max(1.0);
            let stroke = if e.duration >= threshold {
                " stroke=\"red\" stroke-width=\"2\""
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "<rect x=\"{x0:.2}\" y=\"{y}\" width=\"{w:.2}\" height=\"{}\" fill=\"{}\"{stroke}><title>{} {} -&gt; {} ({:?})</title></rect>",
                ROW - 6.0,
                color(e.from),
                escape(e.fn_name),
                e.from,
                e.to,
                e.duration
            );
        }
        out.push_str("</svg>\n");
        out
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A stable colour per state name.
fn color(state: &str) -> String {
    let h = state.bytes().fold(2166136261u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(16777619)
    });
    format!("hsl({}, 60%, 60%)", h % 360)
}

impl fmt::Display for Trace {
    /// A summary: transitions with counts, then time per state, then blocking polls.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "transitions:")?;
        for ((func, from, to), n) in self.transition_counts() {
            writeln!(f, "  {func}: {from} -> {to}  x{n}")?;
        }
        writeln!(f, "time per state:")?;
        for ((func, state), t) in self.time_per_state() {
            writeln!(f, "  {func}: {state}  {t:?}")?;
        }
        if !self.blocking.is_empty() {
            writeln!(f, "blocking polls:")?;
            for b in &self.blocking {
                writeln!(f, "  {b}")?;
            }
        }
        Ok(())
    }
}
