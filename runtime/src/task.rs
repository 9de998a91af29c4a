//! Task handles: [`JoinHandle`] and [`JoinError`].

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::{Context, Poll};

use async_task::FallibleTask;

use crate::executor::TaskId;

/// A panic payload.
pub(crate) type Panic = Box<dyn Any + Send + 'static>;

pin_project_lite::pin_project! {
    /// Catches a panic of the inner future's poll, so a panicking task ends with
    /// [`JoinError::Panic`] instead of unwinding through the executor.
    pub(crate) struct CatchUnwind<F> {
        #[pin]
        future: F,
    }
}

impl<F> CatchUnwind<F> {
    pub(crate) fn new(future: F) -> Self {
        CatchUnwind { future }
    }
}

impl<F: Future> Future for CatchUnwind<F> {
    type Output = Result<F::Output, Panic>;
    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let future = self.project().future;
        // The future is never polled again after a panic: the task completes with `Err`.
        match catch_unwind(AssertUnwindSafe(|| future.poll(cx))) {
            Ok(Poll::Ready(v)) => Poll::Ready(Ok(v)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(panic) => Poll::Ready(Err(panic)),
        }
    }
}

/// Why a task produced no output.
pub enum JoinError {
    /// The task was cancelled by [`JoinHandle::abort`] or by dropping its runtime.
    Cancelled,
    /// The task panicked; holds the panic payload.
    Panic(Box<dyn Any + Send + 'static>),
}

impl JoinError {
    /// Whether the task was cancelled.
    pub fn is_cancelled(&self) -> bool {
        matches!(self, JoinError::Cancelled)
    }

    /// Whether the task panicked.
    pub fn is_panic(&self) -> bool {
        matches!(self, JoinError::Panic(_))
    }

    /// The panic payload, to resume it with [`std::panic::resume_unwind`].
    ///
    /// # Panics
    /// If the task was cancelled rather than panicking.
    pub fn into_panic(self) -> Box<dyn Any + Send + 'static> {
        match self {
            JoinError::Panic(p) => p,
            JoinError::Cancelled => panic!("`JoinError::into_panic` on a cancelled task"),
        }
    }
}

fn panic_message(p: &(dyn Any + Send)) -> &str {
    if let Some(s) = p.downcast_ref::<&'static str>() {
        s
    } else if let Some(s) = p.downcast_ref::<String>() {
        s
    } else {
        "Box<dyn Any>"
    }
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JoinError::Cancelled => f.write_str("JoinError::Cancelled"),
            JoinError::Panic(p) => write!(f, "JoinError::Panic({:?})", panic_message(&**p)),
        }
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JoinError::Cancelled => f.write_str("task was cancelled"),
            JoinError::Panic(p) => write!(f, "task panicked: {}", panic_message(&**p)),
        }
    }
}

impl std::error::Error for JoinError {}

/// An owned handle to a spawned task: await it for the task's output.
///
/// Dropping the handle detaches the task (it keeps running). [`abort`](JoinHandle::abort)
/// cancels it. Awaiting yields `Err(JoinError::Cancelled)` for a cancelled task and
/// `Err(JoinError::Panic(..))` for a task that panicked.
#[must_use = "dropping a JoinHandle detaches the task; `let _ = spawn(..)` makes that explicit"]
pub struct JoinHandle<T> {
    task: Option<FallibleTask<Result<T, Panic>, TaskId>>,
}

impl<T> JoinHandle<T> {
    pub(crate) fn new(task: FallibleTask<Result<T, Panic>, TaskId>) -> Self {
        JoinHandle { task: Some(task) }
    }

    /// Cancels the task. Its future is dropped by the executor at the next opportunity (if the
    /// task is running right now, once the current poll returns); a blocking closure that has
    /// already started runs to the end. Awaiting the handle afterwards yields
    /// `Err(JoinError::Cancelled)` unless the task had already finished, in which case its
    /// output is kept.
    pub fn abort(&mut self) {
        if self.task.as_ref().is_some_and(|t| !t.is_finished()) {
            // Dropping an async-task handle cancels the task.
            self.task = None;
        }
    }

    /// Whether the task has finished (completed, panicked or been cancelled).
    pub fn is_finished(&self) -> bool {
        self.task.as_ref().is_none_or(|t| t.is_finished())
    }

    /// Lets the task run in the background without a handle (same as dropping the handle).
    pub fn detach(mut self) {
        if let Some(t) = self.task.take() {
            t.detach();
        }
    }
}

impl<T> Drop for JoinHandle<T> {
    fn drop(&mut self) {
        if let Some(t) = self.task.take() {
            t.detach();
        }
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let Some(task) = self.task.as_mut() else {
            return Poll::Ready(Err(JoinError::Cancelled));
        };
        let out = match Pin::new(task).poll(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(None) => Err(JoinError::Cancelled),
            Poll::Ready(Some(Ok(v))) => Ok(v),
            Poll::Ready(Some(Err(p))) => Err(JoinError::Panic(p)),
        };
        self.task = None;
        Poll::Ready(out)
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("finished", &self.is_finished())
            .finish()
    }
}
