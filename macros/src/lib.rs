//! Procedural macros of awaitgraph. Depend on the `awaitgraph` crate, which re-exports them.

use proc_macro::TokenStream;

/// Rewrites an `async fn` into an explicit enum-and-poll state machine. See the `awaitgraph` crate.
///
/// With the environment variable `AWAITGRAPH_PASSTHROUGH=1` at build time the fn is left as
/// written, so rustc lowers it natively (used by `cargo awaitgraph compare`).
#[proc_macro_attribute]
pub fn state_machine(args: TokenStream, input: TokenStream) -> TokenStream {
    if std::env::var_os("AWAITGRAPH_PASSTHROUGH").is_some_and(|v| v == "1") {
        return input;
    }
    let expansion = awaitgraph_core::expand(args.into(), input.into());
    expansion.tokens.into()
}
