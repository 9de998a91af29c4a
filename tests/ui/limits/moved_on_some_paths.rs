// A local moved on some paths only, then in scope across an await. The lowering tracks such a
// local with a drop flag of its own when the paths are branches of an `if`/`match` or ways out
// of a loop or labelled block (with or without awaits in them) and the whole local is moved.
// Two shapes it does not track, where it still saves the local at the await and rustc rejects
// that with E0382 (README, "Limits"): a part of the local moved on some paths, and a move in a
// closure or the right operand of `||`/`&&`. Write `let n = Some(..)` and `n.take()` on the
// moving path, or end `n`'s scope before the await.
async fn leaf(v: u64) -> u64 {
    v
}

#[awaitgraph::state_machine(diagrams = false)]
async fn part_moved_in_a_branch(c: bool) -> u64 {
    let pair = (String::from("a"), String::from("b"));
    if c {
        drop(pair.0);
    }
    leaf(1).await
}

#[awaitgraph::state_machine(diagrams = false)]
async fn moved_by_the_right_operand_of_an_or(c: bool) -> u64 {
    let n = String::from("n");
    if c || consume(n) {
        leaf(0).await;
    }
    leaf(1).await
}

fn consume(s: String) -> bool {
    s.is_empty()
}

fn main() {
    let _ = part_moved_in_a_branch(true);
    let _ = moved_by_the_right_operand_of_an_or(true);
}
