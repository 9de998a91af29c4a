async fn send(_: &u32) {}

#[awaitgraph::state_machine]
async fn send_all(items: Vec<u32>) -> usize {
    for x in items.iter() {
        send(x).await;
    }
    items.len()
}

fn main() {}
