// `const async fn` is refused on the `const` keyword.
#[awaitgraph::state_machine]
const async fn constant() -> u8 {
    1
}

fn main() {}
