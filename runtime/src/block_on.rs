//! `block_on`: run a future to completion on the current thread.

use std::future::Future;

use crate::executor::Runtime;

thread_local! {
    /// The runtime behind the free `block_on` on this thread. It lives as long as the thread,
    /// so tasks left running by one `block_on` continue in the next.
    static RUNTIME: Runtime = Runtime::new();
}

/// Runs `future` to completion on the current thread, on this thread's runtime: [`spawn`](
/// crate::spawn), timers and channels work inside it. The thread parks while nothing is ready.
///
/// Tasks spawned inside and still running when `future` completes are kept and continue on the
/// next `block_on` call on this thread (they are dropped when the thread exits). For a runtime
/// of your own that drops its tasks when dropped, use [`Runtime`].
///
/// # Panics
/// If called from inside a runtime (that would block the thread that runs the tasks).
pub fn block_on<F: Future>(future: F) -> F::Output {
    RUNTIME.with(|rt| rt.block_on(future))
}
