//! Two ~250 ms fetches: one after the other (~500 ms), then with `join!` (~250 ms).

use awaitgraph_examples::{join, ms, print_diagrams};

fn main() {
    let out = join::run();
    println!("one fetch:            {}", ms(out.single));
    println!(
        "sequential (a; b):    {}  -> {:?}",
        ms(out.sequential),
        out.sequential_out
    );
    println!(
        "join!(a, b):          {}  -> {:?}",
        ms(out.joined),
        out.joined_out
    );
    println!(
        "join! took {:.2}x one fetch; sequential took {:.2}x",
        out.joined.as_secs_f64() / out.single.as_secs_f64(),
        out.sequential.as_secs_f64() / out.single.as_secs_f64()
    );
    print_diagrams("join", &["fetch", "sequential", "joined"]);
}
