//! A fetch that sleeps 200 ms, then `?` on its result.

use awaitgraph_examples::{fetch_sleep, ms, print_diagrams};

fn main() {
    let out = fetch_sleep::run();
    let (data, took) = &out.fetched;
    println!("fetch(7)     = {data:?} after {}", ms(*took));
    println!("fetch_len(7) = {:?}", out.len_ok);
    let (err, took) = &out.len_err;
    println!(
        "fetch_len(0) = {err:?} after {} (`?` returned early)",
        ms(*took)
    );
    print_diagrams("fetch_sleep", &["fetch", "fetch_len"]);
}
