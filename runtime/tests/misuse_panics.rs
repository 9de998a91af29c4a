//! Misuse fails loudly with a message that says what to do instead.

use awaitgraph::{Runtime, block_on, spawn};

#[test]
#[should_panic(expected = "cannot `block_on` inside a runtime")]
fn nested_block_on_panics() {
    block_on(async {
        block_on(async {});
    });
}

#[test]
#[should_panic(expected = "must be called from within an awaitgraph runtime")]
fn spawn_outside_a_runtime_panics() {
    drop(spawn(async {}));
}

#[test]
#[should_panic(expected = "must be called from within an awaitgraph runtime")]
fn sleep_outside_a_runtime_panics() {
    // Polled by a foreign executor, a sleep has no timer driver to register with.
    pollster::block_on(awaitgraph::time::sleep(std::time::Duration::from_millis(1)));
}

#[test]
fn a_runtime_can_spawn_before_block_on() {
    let rt = Runtime::new();
    let h = rt.spawn(async { 5 });
    assert_eq!(rt.block_on(h).unwrap(), 5);
}
