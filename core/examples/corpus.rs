//! Lowers every `async fn` with a body found in the Rust files under the given directories (a
//! checkout of tokio, axum, ..), and reports how many lowered, how many were refused and why,
//! and any panic of the lowering (a bug: the macro must never panic). Also checks that each
//! lowering is valid Rust syntax. It does not compile them (their crates' dependencies are not
//! there): what it measures is robustness and the refusals real code meets.
//!
//! `cargo run --release -p awaitgraph-core --example corpus -- <dir>.. [--show-refusals]`
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use quote::ToTokens;
use syn::visit::Visit;

/// Async fns with a body, as items the attribute could be on.
#[derive(Default)]
struct Fns(Vec<(proc_macro2::TokenStream, usize)>);

impl<'a> Visit<'a> for Fns {
    fn visit_item_fn(&mut self, f: &'a syn::ItemFn) {
        if f.sig.asyncness.is_some() {
            self.0
                .push((f.to_token_stream(), f.sig.ident.span().start().line));
        }
        syn::visit::visit_item_fn(self, f);
    }
    fn visit_impl_item_fn(&mut self, f: &'a syn::ImplItemFn) {
        if f.sig.asyncness.is_some() {
            let item = syn::ItemFn {
                attrs: f.attrs.clone(),
                vis: f.vis.clone(),
                sig: f.sig.clone(),
                block: Box::new(f.block.clone()),
            };
            self.0
                .push((item.to_token_stream(), f.sig.ident.span().start().line));
        }
        syn::visit::visit_impl_item_fn(self, f);
    }
    fn visit_trait_item_fn(&mut self, f: &'a syn::TraitItemFn) {
        if let (Some(_), Some(block)) = (f.sig.asyncness, &f.default) {
            let item = syn::ItemFn {
                attrs: f.attrs.clone(),
                vis: syn::Visibility::Inherited,
                sig: f.sig.clone(),
                block: Box::new(block.clone()),
            };
            self.0
                .push((item.to_token_stream(), f.sig.ident.span().start().line));
        }
        syn::visit::visit_trait_item_fn(self, f);
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The refusal's kind: its message up to the first `;` or `:` that ends a clause, at most 90
/// characters, with code in backticks kept.
fn kind(msg: &str) -> String {
    let cut = msg.find("; ").unwrap_or(msg.len()).min(90);
    let mut end = cut;
    while !msg.is_char_boundary(end) {
        end -= 1;
    }
    msg[..end].to_string()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let show = args.iter().any(|a| a == "--show-refusals");
    let mut files = Vec::new();
    for d in args.iter().filter(|a| !a.starts_with("--")) {
        rust_files(Path::new(d), &mut files);
    }
    // Panics are counted, not printed by the default hook.
    let last_panic: Arc<Mutex<String>> = Arc::default();
    {
        let last = last_panic.clone();
        std::panic::set_hook(Box::new(move |info| {
            let at = info
                .location()
                .map(|l| format!("{}:{}", l.file(), l.line()))
                .unwrap_or_default();
            *last.lock().unwrap() = format!("{info} ({at})");
        }));
    }
    let config = awaitgraph_core::config::Config {
        diagrams: false,
        doc: false,
        ..Default::default()
    };
    let (mut total, mut lowered, mut unparsable_files) = (0usize, 0usize, 0usize);
    let mut refused: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut panics: Vec<String> = Vec::new();
    let mut invalid: Vec<String> = Vec::new();
    let start = std::time::Instant::now();
    for file in &files {
        let Ok(src) = std::fs::read_to_string(file) else {
            continue;
        };
        let Ok(parsed) = syn::parse_file(&src) else {
            unparsable_files += 1;
            continue;
        };
        let mut fns = Fns::default();
        fns.visit_file(&parsed);
        for (item, line) in fns.0 {
            total += 1;
            let at = format!("{}:{line}", file.display());
            let result = std::panic::catch_unwind(|| awaitgraph_core::lower(&config, item));
            match result {
                Ok(Ok((tokens, _))) => match syn::parse2::<syn::File>(tokens) {
                    Ok(_) => lowered += 1,
                    Err(e) => invalid.push(format!("{at}: {e}")),
                },
                Ok(Err(e)) => {
                    let msg = e.to_string();
                    refused.entry(kind(&msg)).or_default().push(at);
                }
                Err(_) => panics.push(format!("{at}: {}", last_panic.lock().unwrap())),
            }
        }
    }
    let took = start.elapsed();
    println!(
        "{} files ({unparsable_files} not parsed by syn), {total} async fns with a body: {lowered} lowered, {} refused, {} panics, {} lowered to invalid syntax ({:.2} ms per fn)",
        files.len(),
        refused.values().map(Vec::len).sum::<usize>(),
        panics.len(),
        invalid.len(),
        took.as_secs_f64() * 1000.0 / total.max(1) as f64
    );
    let mut kinds: Vec<_> = refused.iter().collect();
    kinds.sort_by_key(|(_, v)| std::cmp::Reverse(v.len()));
    for (k, at) in kinds {
        println!("  refused {:>4}: {k}", at.len());
        if show {
            for a in at {
                println!("      {a}");
            }
        }
    }
    for p in &panics {
        println!("  PANIC {p}");
    }
    for i in &invalid {
        println!("  INVALID {i}");
    }
    if !panics.is_empty() || !invalid.is_empty() {
        std::process::exit(1);
    }
}
