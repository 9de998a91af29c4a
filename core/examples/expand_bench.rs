//! Expansion time of `#[awaitgraph::state_machine]` on a file of 200 annotated fns of mixed
//! shapes, with and without diagram output:
//! `cargo run --release -p awaitgraph-core --example expand_bench [-- --write FILE]`.
//! `--write FILE` also writes the 200 fns as a Rust file (to measure the cold build of a crate
//! with and without the lowering, see BENCHMARKS.md).

use std::str::FromStr;
use std::time::{Duration, Instant};

use awaitgraph_core::config::Config;
use awaitgraph_core::render::{Formats, OutputOptions, SvgRenderer, write_outputs};
use proc_macro2::TokenStream;

const SHAPES: &[&str] = &[
    // sequential with `?`
    "async fn NAME(n: u64, name: &str) -> Result<usize, E> {
        let data = format!(\"{}-{}\", name, fetch(n).await?);
        let len = process(data).await;
        Ok(len + n as usize)
    }",
    // borrowed buffer and method receiver
    "async fn NAME(&mut self, extra: u32) -> u32 {
        let mut buf = Vec::new();
        self.conn.read(&mut buf).await;
        let a = self.conn.flush().await;
        a + extra + buf.len() as u32
    }",
    // branches
    "async fn NAME(x: Option<u32>) -> u32 {
        let held = Guard::new();
        let r = match x {
            Some(0) => leaf(0).await,
            Some(v) if v > 10 => { let big = Guard::new(); leaf(v).await + big.len() }
            Some(v) => v,
            None => 99,
        };
        if r > 3 { leaf(r).await } else { r + held.len() }
    }",
    // loops
    "async fn NAME(v: Vec<u32>) -> u32 {
        let mut total = 0;
        for x in v.into_iter() {
            if x % 2 == 0 { continue; }
            total += leaf(x).await;
        }
        while total > 100 {
            total = leaf(total / 2).await;
        }
        total
    }",
    // nested awaits in expressions
    "async fn NAME(a: u32) -> (u32, u32) {
        let t = (leaf(a).await + leaf(2).await * 3, combine(mark(1), leaf(4).await));
        let s = Noisy::new(\"n\").len() + leaf(5).await;
        (t.0 + s, t.1)
    }",
];

fn fns() -> Vec<String> {
    (0..200)
        .map(|i| SHAPES[i % SHAPES.len()].replace("NAME", &format!("f{i}")))
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--write") {
        let path = args.get(i + 1).expect("--write FILE");
        let body: String = fns()
            .iter()
            .map(|f| format!("#[awaitgraph::state_machine]\n{f}\n\n"))
            .collect();
        std::fs::write(path, body).expect("write");
        println!("wrote {path}");
        return;
    }
    let config = Config::default();
    let inputs: Vec<TokenStream> = fns()
        .iter()
        .map(|f| TokenStream::from_str(f).expect("tokens"))
        .collect();
    // Warm up, then measure the lowering alone (parse + all phases + the state graph).
    for t in &inputs {
        let _ = awaitgraph_core::lower(&config, t.clone());
    }
    let mut graphs = Vec::new();
    let start = Instant::now();
    for t in &inputs {
        match awaitgraph_core::lower(&config, t.clone()) {
            Ok((_, g)) => graphs.push(g),
            Err(e) => panic!("lowering failed: {e}"),
        }
    }
    let lower = start.elapsed();
    let per = |d: Duration| d.as_secs_f64() * 1e3 / inputs.len() as f64;
    println!("fns: {}", inputs.len());
    println!(
        "lowering (no diagrams):        {:8.3} ms total, {:.3} ms per fn",
        lower.as_secs_f64() * 1e3,
        per(lower)
    );
    let dir = std::env::temp_dir().join(format!("awaitgraph-expand-bench-{}", std::process::id()));
    for (label, svg, renderer) in [
        ("diagrams .dot+.mmd", false, SvgRenderer::Fallback),
        ("diagrams + SVG (pure Rust)", true, SvgRenderer::Fallback),
        ("diagrams + SVG (Graphviz)", true, SvgRenderer::Graphviz),
    ] {
        let _ = std::fs::remove_dir_all(&dir);
        let options = OutputOptions {
            crate_name: "bench".into(),
            module_path: String::new(),
            formats: Formats {
                dot: true,
                svg,
                mermaid: true,
            },
            svg: renderer,
            dir: Some(dir.clone()),
        };
        let start = Instant::now();
        let mut failed = 0;
        for (i, g) in graphs.iter().enumerate() {
            let mut g = g.clone();
            g.fn_name = format!("{}_{i}", g.fn_name);
            if let Err(e) = write_outputs(&g, &options) {
                if failed == 0 {
                    eprintln!("{label}: {} failed: {e}", g.fn_name);
                }
                failed += 1;
            }
        }
        let d = start.elapsed();
        let note = if failed > 0 {
            format!(" ({failed} failed: Graphviz missing?)")
        } else {
            String::new()
        };
        println!(
            "{label:<30} {:8.3} ms total, {:.3} ms per fn{note}",
            d.as_secs_f64() * 1e3,
            per(d)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
