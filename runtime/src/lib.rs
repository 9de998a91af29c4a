//! awaitgraph: make the state machine behind an `async fn` visible.
//!
//! Put `#[awaitgraph::state_machine]` on an `async fn`: it is rewritten into an explicit
//! enum-and-poll `Future` whose variants (`Unresumed`, `Suspend0..N`, `Returned`, `Panicked`)
//! hold the locals saved across each `.await`, exactly as rustc's coroutine would.
//!
//! The crate also holds a small single-threaded runtime to run them (and any other future):
//! [`block_on`] / [`Runtime`], [`spawn`] with [`JoinHandle`], [`spawn_blocking`], timers
//! ([`time`]), channels ([`sync`]), [`join!`] and [`select`](future::select), and state
//! tracing ([`trace`]) that records which states a run went through.
//!
//! ```
//! use std::time::Duration;
//!
//! #[awaitgraph::main]
//! async fn main() {
//!     let task = awaitgraph::spawn(async { 6 * 7 });
//!     awaitgraph::time::sleep(Duration::from_millis(1)).await;
//!     assert_eq!(task.await.unwrap(), 42);
//! }
//! ```

#![warn(missing_docs, clippy::undocumented_unsafe_blocks)]

mod block_on;
mod blocking;
mod executor;
pub mod future;
#[doc(hidden)]
pub mod private;
pub mod sync;
mod task;
pub mod time;
pub mod trace;

pub use awaitgraph_macros::{main, state_machine};
pub use block_on::block_on;
pub use blocking::spawn_blocking;
pub use executor::{Runtime, spawn, spawn_local};
pub use future::yield_now;
pub use task::{JoinError, JoinHandle};

#[doc(hidden)]
pub use private as __private;
