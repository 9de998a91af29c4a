//! Runnable examples of awaitgraph: `cargo run -p awaitgraph-examples --example <name>`.

use std::path::PathBuf;

/// Where `#[awaitgraph::state_machine]` wrote the diagrams of the crate `krate` (an example's
/// crate is named after the example): `AWAITGRAPH_DIR` if set, else
/// `<target dir>/awaitgraph/<krate>`.
pub fn diagram_dir(krate: &str) -> PathBuf {
    if let Some(dir) = std::env::var_os("AWAITGRAPH_DIR") {
        return PathBuf::from(dir).join(krate);
    }
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default();
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(t) => workspace.join(t),
        None => workspace.join("target"),
    };
    target.join("awaitgraph").join(krate)
}
