async fn fetch() -> Option<u8> {
    Some(1)
}

#[awaitgraph::state_machine]
async fn first() -> u8 {
    let Some(v) = fetch().await else {
        return 0;
    };
    v
}

fn main() {}
