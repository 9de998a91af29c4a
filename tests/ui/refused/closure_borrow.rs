async fn tick() {}

#[awaitgraph::state_machine]
async fn closure_keeps_borrow() -> usize {
    let v = vec![1, 2, 3];
    let len = || v.len();
    tick().await;
    len()
}

fn main() {}
