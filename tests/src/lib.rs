//! The equivalence harness: instrumented leaf futures, logging locals, a deterministic
//! executor, and [`check`], which runs a native async fn and its lowering side by side.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::fmt::Debug;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Once;
use std::task::{Context, Poll, Waker};

thread_local! {
    static LOG: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Appends an event to this thread's log.
pub fn log(event: impl Into<String>) {
    LOG.with(|l| l.borrow_mut().push(event.into()));
}

/// Takes this thread's log.
pub fn take_log() -> Vec<String> {
    LOG.with(|l| std::mem::take(&mut *l.borrow_mut()))
}

/// Logs `event` and returns `value`: marks evaluation order.
pub fn mark<T>(event: &str, value: T) -> T {
    log(event);
    value
}

/// A local whose creation and drop are logged.
#[derive(Debug)]
pub struct Noisy(pub &'static str);

impl Noisy {
    /// Logs `new <name>`.
    pub fn new(name: &'static str) -> Self {
        log(format!("new {name}"));
        Noisy(name)
    }
    /// A method taking `&self`.
    pub fn len(&self) -> usize {
        log(format!("len {}", self.0));
        self.0.len()
    }
    /// Whether the name is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// An `async` method taking `&self` (its receiver is not consumed: a lowered await on it
    /// takes the receiver into a wrapper and hands it back when used later).
    pub async fn ping(&self) -> usize {
        leaf("ping", 1, ()).await;
        self.len()
    }
    /// An `async` method taking `self`, not known to the lowering as consuming: awaited on a
    /// local, it is written `Noisy::finish(n).await` (README).
    pub async fn finish(self) -> usize {
        leaf("finish", 1, ()).await;
        self.len()
    }
    /// A method taking `self`.
    pub fn into_len(self) -> usize {
        log(format!("into_len {}", self.0));
        self.0.len()
    }
}

impl Drop for Noisy {
    fn drop(&mut self) {
        log(format!("drop {}", self.0));
    }
}

/// A value whose destructor logs and then panics (unless already unwinding, which would abort).
pub struct PanicsOnDrop(pub &'static str);

impl Drop for PanicsOnDrop {
    fn drop(&mut self) {
        log(format!("drop {}", self.0));
        if !std::thread::panicking() {
            panic!("drop of {} panicked", self.0);
        }
    }
}

/// A future polling `F` whose destructor panics (after dropping `F`): see [`PanicsOnDrop`].
pub struct PanicsWhenDropped<F>(pub F, pub PanicsOnDrop);

impl<F: Future + Unpin> Future for PanicsWhenDropped<F> {
    type Output = F::Output;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        Pin::new(&mut self.0).poll(cx)
    }
}

/// A leaf future: `Pending` `pending` times (waking itself), then `Ready(value)`.
/// Logs each poll, its completion and its drop.
pub struct Leaf<T> {
    name: &'static str,
    pending: u32,
    value: Option<T>,
    panic_at: Option<u32>,
}

/// A leaf future named `name`.
pub fn leaf<T>(name: &'static str, pending: u32, value: T) -> Leaf<T> {
    log(format!("make {name}"));
    Leaf {
        name,
        pending,
        value: Some(value),
        panic_at: None,
    }
}

/// A leaf that panics on its `at`th poll (0-based).
pub fn panicking_leaf<T>(name: &'static str, at: u32, value: T) -> Leaf<T> {
    let mut l = leaf(name, at + 1, value);
    l.panic_at = Some(at);
    l
}

impl<T> Unpin for Leaf<T> {}

impl<T> Future for Leaf<T> {
    type Output = T;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        log(format!("poll {}", self.name));
        if let Some(at) = self.panic_at {
            if at == 0 {
                panic!("leaf {} panicked", self.name);
            }
            self.panic_at = Some(at - 1);
        }
        if self.pending > 0 {
            self.pending -= 1;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        log(format!("ready {}", self.name));
        match self.value.take() {
            Some(v) => Poll::Ready(v),
            None => panic!("leaf {} polled after completion", self.name),
        }
    }
}

impl<T> Drop for Leaf<T> {
    fn drop(&mut self) {
        log(format!("drop leaf {}", self.name));
    }
}

/// What one run of a future did.
#[derive(Debug, PartialEq, Eq)]
pub struct Run {
    /// `Ok(debug of output)` or `Err(panic message)`.
    pub outcome: Result<String, String>,
    /// Number of polls made (including the one that completed or panicked).
    pub polls: usize,
    /// The event log.
    pub log: Vec<String>,
    /// What polling once more did (the panic message).
    pub poll_again: Option<String>,
}

fn message(p: Box<dyn Any + Send>) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "<non-string panic>".into()
    }
}

fn quiet<R>(f: impl FnOnce() -> R) -> R {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(|q| q.get()) {
                default(info)
            }
        }));
    });
    QUIET.with(|q| q.set(true));
    let r = f();
    QUIET.with(|q| q.set(false));
    r
}

const MAX_POLLS: usize = 10_000;

/// Drops `fut`; a destructor that panics is logged (the others must still run, as drop glue
/// goes on dropping while unwinding).
fn drop_logging_panic<T>(fut: T) {
    if let Err(p) = quiet(|| catch_unwind(AssertUnwindSafe(|| drop(fut)))) {
        log(format!("drop panicked: {}", message(p)));
    }
}

/// Polls `make()` to completion (or panic) with a no-op waker.
pub fn run<F: Future>(make: impl FnOnce() -> F) -> Run
where
    F::Output: Debug,
{
    take_log();
    let fut = make();
    log("created");
    let mut fut = Box::pin(fut);
    let mut cx = Context::from_waker(Waker::noop());
    let mut polls = 0;
    let outcome = loop {
        polls += 1;
        assert!(polls < MAX_POLLS, "future did not complete");
        log(format!("-- poll {polls}"));
        match quiet(|| catch_unwind(AssertUnwindSafe(|| fut.as_mut().poll(&mut cx)))) {
            Ok(Poll::Ready(v)) => break Ok(format!("{v:?}")),
            Ok(Poll::Pending) => {}
            Err(p) => break Err(message(p)),
        }
    };
    let poll_again = quiet(|| catch_unwind(AssertUnwindSafe(|| fut.as_mut().poll(&mut cx))))
        .err()
        .map(message);
    log("dropping");
    drop_logging_panic(fut);
    log("dropped");
    Run {
        outcome,
        polls,
        log: take_log(),
        poll_again,
    }
}

/// Polls `make()` `n` times (stopping early if it completes or panics), then drops it;
/// returns the log.
pub fn cancel_after<F: Future>(make: impl FnOnce() -> F, n: usize) -> Vec<String> {
    take_log();
    let fut = make();
    log("created");
    let mut fut = Box::pin(fut);
    let mut cx = Context::from_waker(Waker::noop());
    for i in 0..n {
        log(format!("-- poll {}", i + 1));
        match quiet(|| catch_unwind(AssertUnwindSafe(|| fut.as_mut().poll(&mut cx)))) {
            Ok(Poll::Pending) => {}
            Ok(Poll::Ready(_)) => {
                log("ready");
                break;
            }
            Err(p) => {
                log(format!("panicked: {}", message(p)));
                break;
            }
        }
    }
    log("dropping");
    drop_logging_panic(fut);
    log("dropped");
    take_log()
}

/// Runs the native and the lowered future side by side and asserts they behave the same:
/// output (or panic), event log, number of polls, what polling once more does, and the log
/// when dropped after each possible number of polls. Returns the native run.
pub fn check<F1, F2, T1, T2>(native: impl Fn() -> F1, lowered: impl Fn() -> F2) -> Run
where
    F1: Future<Output = T1>,
    F2: Future<Output = T2>,
    T1: Debug,
    T2: Debug,
{
    let a = run(&native);
    let b = run(&lowered);
    assert_eq!(a.outcome, b.outcome, "outputs differ");
    assert_eq!(a.log, b.log, "event logs differ");
    assert_eq!(a.polls, b.polls, "poll counts differ");
    assert_eq!(a.poll_again, b.poll_again, "polling once more differs");
    if a.outcome.is_ok() {
        assert_eq!(
            a.poll_again.as_deref(),
            Some("`async fn` resumed after completion")
        );
    } else {
        assert_eq!(
            a.poll_again.as_deref(),
            Some("`async fn` resumed after panicking")
        );
    }
    // Nothing runs before the first poll.
    assert_eq!(a.log.first().map(String::as_str), Some("created"));
    for n in 0..=a.polls {
        let ca = cancel_after(&native, n);
        let cb = cancel_after(&lowered, n);
        assert_eq!(ca, cb, "logs differ when dropped after {n} polls");
    }
    a
}
