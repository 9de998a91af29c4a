async fn tick() {}

#[awaitgraph::state_machine]
async fn self_borrow() -> usize {
    let v = vec![1, 2, 3];
    let r = &v;
    tick().await;
    r.len()
}

fn main() {}
