//! awaitgraph: make the state machine behind an `async fn` visible.

#![warn(missing_docs, clippy::undocumented_unsafe_blocks)]

pub use awaitgraph_macros::state_machine;
