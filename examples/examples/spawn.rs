//! A spawned ticker counts while the main task works; then it is aborted, and another awaited.

use awaitgraph_examples::{ms, print_diagrams, spawn};

fn main() {
    let out = spawn::run();
    println!(
        "main task: {} steps of {} in {}",
        out.steps_done,
        ms(spawn::STEP),
        ms(out.work_time)
    );
    println!(
        "background ticker ({} period) ticked {} times meanwhile",
        ms(spawn::TICK),
        out.ticks_during_work
    );
    println!(
        "abort (ticker still running: {}): awaiting it gives {:?}; ticks then: {}, 50 ms later: {}",
        out.running_before_abort, out.aborted, out.ticks_at_abort, out.ticks_after_abort
    );
    println!(
        "a ticker that stops after 5 ticks, awaited: {:?}",
        out.awaited
    );
    print_diagrams("spawn", &["ticker", "work"]);
}
