#[awaitgraph::state_machine]
async fn both() -> (u32, u32) {
    awaitgraph::join!(async { 1 }, async { 2 })
}

fn main() {}
