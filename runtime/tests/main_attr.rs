//! `#[awaitgraph::main]` runs an async fn on the runtime and keeps its return type.
use awaitgraph::yield_now;

#[awaitgraph::main]
async fn attr_main() -> u32 {
    yield_now().await;
    3
}

#[test]
fn main_attribute() {
    assert_eq!(attr_main(), 3);
}
