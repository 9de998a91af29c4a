//! Prints the size of the expansion (tokens) of each `async fn` in a file, against its input:
//! `cargo run --release -p awaitgraph-core --example expansion_size -- FILE`. Checks that the
//! generated code stays linear in the input, and how long the lowering takes (no diagrams).
use std::str::FromStr;

fn count(t: &proc_macro2::TokenStream) -> usize {
    t.clone()
        .into_iter()
        .map(|tt| match tt {
            proc_macro2::TokenTree::Group(g) => 2 + count(&g.stream()),
            _ => 1,
        })
        .sum()
}

fn main() {
    let path = std::env::args().nth(1).expect("FILE");
    let src = std::fs::read_to_string(&path).expect("read");
    let file: syn::File = syn::parse_str(&src).expect("parse");
    let mut fns = Vec::new();
    fn collect(items: &[syn::Item], out: &mut Vec<syn::ItemFn>) {
        for i in items {
            match i {
                syn::Item::Fn(f) if f.sig.asyncness.is_some() => out.push(f.clone()),
                syn::Item::Mod(m) => {
                    if let Some((_, items)) = &m.content {
                        collect(items, out)
                    }
                }
                _ => {}
            }
        }
    }
    collect(&file.items, &mut fns);
    let config = awaitgraph_core::config::Config {
        diagrams: false,
        doc: false,
        ..Default::default()
    };
    for f in fns {
        let input = quote::quote!(#f);
        let n_in = count(&input);
        let tokens = proc_macro2::TokenStream::from_str(&input.to_string()).expect("tokens");
        let started = std::time::Instant::now();
        let lowered = awaitgraph_core::lower(&config, tokens);
        let ms = started.elapsed().as_secs_f64() * 1e3;
        match lowered {
            Ok((out, g)) => println!(
                "{:<24} in {:>6} out {:>7} ratio {:>5.1} states {:>3} lowering {:>7.2} ms",
                f.sig.ident,
                n_in,
                count(&out),
                count(&out) as f64 / n_in as f64,
                g.graph.node_count(),
                ms
            ),
            Err(e) => println!("{:<24} refused: {e}", f.sig.ident),
        }
    }
}
