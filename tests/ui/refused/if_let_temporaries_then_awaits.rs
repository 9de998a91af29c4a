async fn fetch(x: usize) -> usize {
    x
}

struct Guard(Vec<usize>);
impl Guard {
    fn first(&self) -> Option<usize> {
        self.0.first().copied()
    }
}
fn guard() -> Guard {
    Guard(vec![1])
}

// Edition 2024 drops `guard()` before the `else` block; the lowering cannot while the `then`
// block awaits.
#[awaitgraph::state_machine]
async fn f() -> usize {
    if let Some(x) = guard().first() { fetch(x).await } else { 0 }
}

fn main() {}
