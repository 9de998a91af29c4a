// The attribute goes on an `async fn` item only.
#[awaitgraph::state_machine]
struct NotAFn;

fn main() {}
