async fn fetch() -> u8 {
    1
}

#[awaitgraph::state_machine]
async fn branch(flag: bool) -> u8 {
    if flag { fetch().await } else { 0 }
}

fn main() {}
