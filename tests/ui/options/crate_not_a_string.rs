#[awaitgraph::state_machine(crate = awaitgraph)]
async fn f() -> u8 {
    1
}

fn main() {}
