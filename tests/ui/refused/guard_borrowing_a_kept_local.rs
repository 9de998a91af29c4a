use std::sync::Mutex;

async fn tick() {}

// A guard, whose destructor needs the borrow: rejected by the borrow checker at the await.
#[awaitgraph::state_machine]
async fn guard(m: Mutex<u32>) -> u32 {
    let g = m.lock().unwrap();
    let x = *g;
    tick().await;
    x
}

fn main() {
    awaitgraph::block_on(guard(Mutex::new(1)));
}
