//! awaitgraph-core: the lowering engine behind `#[awaitgraph::state_machine]`.
//!
//! Phases, one module each, each taking one IR and returning the next:
//! 1. [`config`]: the attribute's arguments.
//! 2. [`parse`]: the `async fn` item into [`parse::AsyncFn`].
//! 3. [`normalize`]: the body into a tree of scopes where every `.await` is a statement.
//! 4. [`liveness`]: which locals each suspension point saves.
//! 5. [`codegen`]: the explicit enum-and-poll future.
//!
//! [`model`] is the state graph built alongside, which the renderers and the comparison with
//! rustc read. No `proc_macro` dependency: every phase runs on `proc_macro2` tokens.

#![warn(missing_docs)]

pub mod model;
pub mod render;
