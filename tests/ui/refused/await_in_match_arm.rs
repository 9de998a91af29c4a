async fn fetch() -> u8 {
    1
}

#[awaitgraph::state_machine]
async fn arm(n: u8) -> u8 {
    match n {
        0 => fetch().await,
        _ => n,
    }
}

fn main() {}
