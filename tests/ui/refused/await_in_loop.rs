async fn fetch() -> u8 {
    1
}

#[awaitgraph::state_machine]
async fn spin() -> u8 {
    loop {
        if fetch().await > 0 {
            break 1;
        }
    }
}

fn main() {}
