//! awaitgraph: make the state machine behind an `async fn` visible.
//!
//! Put `#[awaitgraph::state_machine]` on an `async fn`: it is rewritten into an explicit
//! enum-and-poll `Future` whose variants (`Unresumed`, `Suspend0..N`, `Returned`, `Panicked`)
//! hold the locals saved across each `.await`, exactly as rustc's coroutine would.

#![warn(missing_docs, clippy::undocumented_unsafe_blocks)]

mod block_on;
#[doc(hidden)]
pub mod private;
pub mod trace;

pub use awaitgraph_macros::state_machine;
pub use block_on::block_on;

#[doc(hidden)]
pub use private as __private;
