// A `std::sync::MutexGuard` saved across an await makes the future `!Send`, as it does natively.
use std::sync::Mutex;

async fn tick() {}

#[awaitgraph::state_machine]
async fn keeps_guard(m: &Mutex<u8>) -> u8 {
    let guard = m.lock().unwrap();
    tick().await;
    *guard
}

fn require_send<T: Send>(_: T) {}

fn main() {
    let m = Mutex::new(1);
    require_send(keeps_guard(&m));
}
