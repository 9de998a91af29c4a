async fn fetch() -> u8 {
    1
}

#[awaitgraph::state_machine]
async fn labelled() -> u8 {
    'b: {
        let v = fetch().await;
        if v > 0 {
            break 'b v;
        }
        0
    }
}

fn main() {}
