// Every arm takes all of the matched local (`Busy(n)` copies its field, `Idle` binds nothing),
// so the lowering does not keep it across the arms' awaits; but `State` implements `Drop`, and
// rustc drops it at the end of its scope: refused by the compile-time check of that.
enum State {
    Busy(u32),
    Idle,
}

impl Drop for State {
    fn drop(&mut self) {}
}

async fn tick() {}

#[awaitgraph::state_machine(diagrams = false)]
async fn step(s: State) -> u32 {
    match s {
        State::Busy(n) => {
            tick().await;
            n
        }
        State::Idle => {
            tick().await;
            0
        }
    }
}

fn main() {}
