#[awaitgraph::state_machine(colour = true)]
async fn f() -> u8 {
    1
}

fn main() {}
