// A `ref` parameter cannot be stored in the state's `Unresumed` variant.
#[awaitgraph::state_machine]
async fn by_ref(ref name: String) -> usize {
    name.len()
}

fn main() {}
