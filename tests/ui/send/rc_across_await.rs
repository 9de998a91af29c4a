// An `Rc` saved across an await makes the future `!Send`, as it does natively.
use std::rc::Rc;

async fn tick() {}

#[awaitgraph::state_machine]
async fn keeps_rc() -> usize {
    let shared = Rc::new(5);
    tick().await;
    *shared
}

fn require_send<T: Send>(_: T) {}

fn main() {
    require_send(keeps_rc());
}
