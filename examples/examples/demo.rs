//! The example: an annotated async fn, built and run.

use std::fmt;

#[derive(Debug)]
struct MyError(String);

impl fmt::Display for MyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

async fn fetch(n: u64) -> Result<u64, MyError> {
    if n > 100 {
        Err(MyError("too big".into()))
    } else {
        Ok(n * 2)
    }
}

async fn process(data: String) -> usize {
    data.len()
}

#[awaitgraph::state_machine]
async fn demo(n: u64, name: &str) -> Result<usize, MyError> {
    let data = format!("{}-{}", name, fetch(n).await?);
    let len = process(data).await;
    Ok(len + n as usize)
}

/// `demo` as rustc lowers it, for comparing sizes at run time.
async fn demo_native(n: u64, name: &str) -> Result<usize, MyError> {
    let data = format!("{}-{}", name, fetch(n).await?);
    let len = process(data).await;
    Ok(len + n as usize)
}

fn main() {
    println!(
        "demo(3, \"x\")   = {:?}",
        awaitgraph::block_on(demo(3, "x"))
    );
    println!(
        "demo(300, \"x\") = {:?}",
        awaitgraph::block_on(demo(300, "x"))
    );
    println!(
        "size_of_val(lowered) = {}",
        std::mem::size_of_val(&demo(3, "x"))
    );
    println!(
        "size_of_val(native) = {}",
        std::mem::size_of_val(&demo_native(3, "x"))
    );
    let dir = awaitgraph_examples::diagram_dir("demo");
    println!("diagrams of `demo` (written when this example was built):");
    for ext in ["svg", "dot", "mmd"] {
        let path = dir.join(format!("demo.{ext}"));
        let state = if path.exists() {
            ""
        } else {
            "  (missing: built with AWAITGRAPH_DIAGRAMS=0?)"
        };
        println!("  {}{state}", path.display());
    }
}
