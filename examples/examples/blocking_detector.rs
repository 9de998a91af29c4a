//! `std::thread::sleep(50 ms)` inside an annotated async fn, caught by the blocking detector.

use awaitgraph_examples::{blocking_detector, print_diagrams};

fn main() {
    // The runtime also prints each blocking poll to stderr as it happens.
    let out = blocking_detector::run();
    println!("handle_request(21) = {}", out.result);
    println!("blocking polls reported: {}", out.blocking.len());
    for b in &out.blocking {
        println!(
            "  fn `{}`, state {} -> {}: {:?} (threshold {:?})",
            b.fn_name, b.state, b.to, b.duration, b.threshold
        );
    }
    println!("trace:\n{}", out.trace);
    print_diagrams("blocking_detector", &["handle_request"]);
}
