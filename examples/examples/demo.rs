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
    println!("{:?}", awaitgraph::block_on(demo(3, "x")));
    println!("{:?}", awaitgraph::block_on(demo(300, "x")));
    let fut = demo(3, "x");
    println!("size_of_val(lowered) = {}", std::mem::size_of_val(&fut));
    let native = demo_native(3, "x");
    println!("size_of_val(native) = {}", std::mem::size_of_val(&native));
}
