async fn fetch() -> u8 {
    1
}

#[awaitgraph::state_machine]
async fn chain(o: Option<u8>) -> u8 {
    if let Some(x) = o && x > 1 { fetch().await } else { 0 }
}

fn main() {}
