// The attribute lowers an `async fn`; a plain fn is refused on its `fn` token.
#[awaitgraph::state_machine]
fn not_async() -> u8 {
    1
}

fn main() {}
