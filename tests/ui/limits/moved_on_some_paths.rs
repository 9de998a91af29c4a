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

// The same for a local moved out of by some arms of a `match` with awaits, also when it is
// shadowed later (renamed by the lowering, it is still the user's local, not a hidden one
// whose early drop would go unnoticed).
#[awaitgraph::state_machine(diagrams = false)]
async fn moved_by_some_arms_then_shadowed(k: u64) -> u64 {
    let m = Some(String::from("m"));
    let r = match m {
        Some(x) if k > 5 => leaf(x.len() as u64).await,
        Some(_) => leaf(2).await,
        None => 0,
    };
    let m = r + 1;
    leaf(m).await
}

fn main() {
    let _ = moved_in_a_branch(true);
    let _ = moved_by_some_arms_then_shadowed(1);
}
