#[awaitgraph::state_machine(diagrams = "no")]
async fn f() -> u8 {
    1
}

fn main() {}
