#[awaitgraph::state_machine(crate = "not a path")]
async fn f() -> u8 {
    1
}

fn main() {}
