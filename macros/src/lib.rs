//! Procedural macros of awaitgraph. Depend on the `awaitgraph` crate, which re-exports them.
//!
//! This crate only converts tokens, calls `awaitgraph-core` and writes the diagram files.

use std::collections::HashMap;
use std::sync::Mutex;

use proc_macro::TokenStream;

/// Rewrites an `async fn` into an explicit enum-and-poll state machine. See the `awaitgraph` crate.
///
/// With the environment variable `AWAITGRAPH_PASSTHROUGH=1` at build time the fn is left as
/// written, so rustc lowers it natively (used by `cargo awaitgraph compare`).
/// `AWAITGRAPH_DIAGRAMS=0` turns diagram files off for the whole build.
#[proc_macro_attribute]
pub fn state_machine(args: TokenStream, input: TokenStream) -> TokenStream {
    if std::env::var_os("AWAITGRAPH_PASSTHROUGH").is_some_and(|v| v == "1") {
        return input;
    }
    let file = proc_macro::Span::call_site().local_file();
    let expansion = awaitgraph_core::expand(args.into(), input.into());
    if let Some(graph) = &expansion.graph {
        let off = std::env::var_os("AWAITGRAPH_DIAGRAMS").is_some_and(|v| v == "0");
        if expansion.config.diagrams && !off {
            write_diagrams(graph, &expansion.config, file);
        }
    }
    expansion.tokens.into()
}

/// Fns already written in this compilation, per (source file, fn name): the first keeps
/// `<fn>.svg`, another fn of the same name in the same file gets `<fn>.L<line>.svg`.
static WRITTEN: Mutex<Option<HashMap<(String, String), usize>>> = Mutex::new(None);

fn write_diagrams(
    graph: &awaitgraph_core::model::StateGraph,
    config: &awaitgraph_core::config::Config,
    file: Option<std::path::PathBuf>,
) {
    use awaitgraph_core::render;
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR").map(std::path::PathBuf::from);
    // The module path from the source file: `src/net/client.rs` → `net/client`.
    let module_path = match (&file, &manifest) {
        (Some(f), Some(m)) => {
            let rel = f.strip_prefix(m).unwrap_or(f);
            let crate_root = rel.file_stem().is_some_and(|stem| {
                std::env::var("CARGO_CRATE_NAME")
                    .is_ok_and(|c| c == stem.to_string_lossy().replace('-', "_"))
            });
            let rel = if crate_root {
                std::path::Path::new("")
            } else {
                rel
            };
            let rel = rel.strip_prefix("src").unwrap_or(rel);
            let mut s = rel.with_extension("").to_string_lossy().replace('\\', "/");
            for tail in ["/mod", "lib", "main"] {
                if s.ends_with(tail) && (s == tail || s.ends_with(&format!("/{tail}"))) {
                    s.truncate(s.len() - tail.len());
                }
            }
            s.trim_matches('/').to_string()
        }
        _ => String::new(),
    };
    let mut graph = graph.clone();
    if let Ok(mut guard) = WRITTEN.lock() {
        let map = guard.get_or_insert_with(HashMap::new);
        let key = (module_path.clone(), graph.fn_name.clone());
        match map.get(&key) {
            Some(&line) if line != graph.line => {
                graph.fn_name = format!("{}.L{}", graph.fn_name, graph.line);
            }
            Some(_) => {}
            None => {
                map.insert(key, graph.line);
            }
        }
    }
    let options = render::OutputOptions {
        crate_name: std::env::var("CARGO_CRATE_NAME").unwrap_or_default(),
        module_path,
        formats: config.formats,
        svg: config.svg,
        dir: None,
    };
    // An I/O failure never breaks the build: the diagrams are a by-product.
    let _ = render::write_outputs(&graph, &options);
}

/// Runs an `async fn main` on the awaitgraph runtime (`awaitgraph::block_on`), like
/// `#[tokio::main]`. Accepts `crate = "path"` to name the awaitgraph crate.
#[proc_macro_attribute]
pub fn main(args: TokenStream, input: TokenStream) -> TokenStream {
    main_attr::expand(args.into(), input.into()).into()
}

mod main_attr;
