async fn fetch() -> u8 {
    1
}

#[awaitgraph::state_machine]
async fn count() -> u8 {
    let mut n = 0;
    while n < 3 {
        n += fetch().await;
    }
    n
}

fn main() {}
