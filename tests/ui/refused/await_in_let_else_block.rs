async fn fetch() -> u8 {
    1
}

#[awaitgraph::state_machine]
async fn fallback(o: Option<u8>) -> u8 {
    let Some(x) = o else {
        fetch().await;
        return 0;
    };
    x
}

fn main() {}
