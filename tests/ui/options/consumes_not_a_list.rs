#[awaitgraph::state_machine(consumes = build)]
async fn f() -> u8 {
    1
}

#[awaitgraph::state_machine(consumes = ["build"])]
async fn g() -> u8 {
    1
}

fn main() {}
