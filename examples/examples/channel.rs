//! A producer task and a slower consumer over a bounded mpsc channel.

use awaitgraph_examples::{channel, ms, print_diagrams};

fn main() {
    let out = channel::run();
    println!(
        "producer sent {:?} items into a channel of capacity {}",
        out.sent,
        channel::CAPACITY
    );
    println!(
        "consumer ({} per item) received {:?}",
        ms(channel::CONSUME),
        out.received
    );
    println!(
        "at most {} items were waiting (the producer was held back when it was full); done in {}",
        out.max_waiting,
        ms(out.elapsed)
    );
    print_diagrams("channel", &["producer", "consumer"]);
}
