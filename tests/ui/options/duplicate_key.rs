#[awaitgraph::state_machine(doc = true, doc = false)]
async fn f() -> u8 {
    1
}

fn main() {}
