async fn fetch() -> u8 {
    1
}

#[awaitgraph::state_machine]
async fn raw() -> u8 {
    unsafe { fetch().await }
}

fn main() {}
