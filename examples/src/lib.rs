//! Runnable examples of awaitgraph: `cargo run -p awaitgraph-examples --example <name>`.
//!
//! Each classic async scenario lives in a module of this library (so `tests/scenarios.rs` can
//! run it and check what happened) and has a thin `examples/<name>.rs` that runs it and prints
//! the result. The annotated fns are compiled as part of this library, so their diagrams are in
//! `diagram_dir("awaitgraph_examples")/<module>/<fn>.{dot,svg,mmd}` (see [`diagrams_of`]).

use std::path::PathBuf;

pub mod blocking_detector;
pub mod channel;
pub mod fetch_sleep;
pub mod join;
pub mod rc_vs_arc;
pub mod spawn;
pub mod spawn_blocking;

/// The crate name of this library, under which the diagrams of its annotated fns are written.
pub const LIB_CRATE: &str = "awaitgraph_examples";

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

/// The documented directory of the diagrams of scenario module `module` of this library:
/// `diagram_dir("awaitgraph_examples")/<module>`.
pub fn module_diagram_dir(module: &str) -> PathBuf {
    diagram_dir(LIB_CRATE).join(module)
}

/// Where the diagrams of scenario module `module` actually are: the documented directory if it
/// exists, else the one the attribute currently writes for a module of a workspace member
/// (`<crate>/<member dir>/src/<module>`: it takes the source path relative to the workspace
/// root for a module path).
pub fn find_module_diagram_dir(module: &str) -> PathBuf {
    let documented = module_diagram_dir(module);
    if documented.is_dir() {
        return documented;
    }
    let member = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .file_name()
        .map(PathBuf::from)
        .unwrap_or_default();
    let relative = diagram_dir(LIB_CRATE).join(member).join("src").join(module);
    if relative.is_dir() {
        relative
    } else {
        documented
    }
}

/// The diagram files (`.svg`, `.dot`, `.mmd`) of the annotated fn `func` in the scenario module
/// `module` of this library (see [`find_module_diagram_dir`]).
pub fn diagrams_of(module: &str, func: &str) -> Vec<PathBuf> {
    let dir = find_module_diagram_dir(module);
    ["svg", "dot", "mmd"]
        .iter()
        .map(|ext| dir.join(format!("{func}.{ext}")))
        .collect()
}

/// Prints where the diagrams of the annotated fns `fns` of scenario `module` are.
pub fn print_diagrams(module: &str, fns: &[&str]) {
    println!("diagrams (written when the library was built):");
    for func in fns {
        for path in diagrams_of(module, func) {
            let missing = if path.exists() {
                ""
            } else {
                "  (missing: built with AWAITGRAPH_DIAGRAMS=0?)"
            };
            println!("  {}{missing}", path.display());
        }
    }
}

/// Milliseconds with one decimal, for printing timings.
pub fn ms(d: std::time::Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}
