async fn fetch(i: u8) -> u8 {
    i
}

#[awaitgraph::state_machine]
async fn sum() -> u8 {
    let mut total = 0;
    for i in 0..3 {
        total += fetch(i).await;
    }
    total
}

fn main() {}
