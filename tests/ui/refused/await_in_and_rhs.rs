async fn ready() -> bool {
    true
}

#[awaitgraph::state_machine]
async fn both(flag: bool) -> bool {
    flag && ready().await
}

fn main() {}
