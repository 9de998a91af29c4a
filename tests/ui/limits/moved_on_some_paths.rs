// A local moved on some paths only, then in scope across an await: the native fn compiles
// (rustc keeps a drop flag), the lowering cannot tell a move from syntax and saves the local
// at the await, which rustc rejects with E0382 pointing at that `.await` (README, "Limits").
// Write `let n = Some(..)` and `n.take()` on the moving path, or end `n`'s scope before the
// await.
async fn leaf(v: u64) -> u64 {
    v
}

#[awaitgraph::state_machine(diagrams = false)]
async fn moved_in_a_branch(c: bool) -> u64 {
    let n = String::from("n");
    if c {
        drop(n);
    }
    leaf(1).await
}

fn main() {
    let _ = moved_in_a_branch(true);
}
