// A value moved on some of the ways out of a loop with awaits (or a labelled block) and not on
// others: rustc drops it at the end of its scope on the ways that kept it, with a drop flag.
// The lowering does not carry it past the loop, and would drop it where those ways leave the
// loop, so a type that is not `Copy` is refused at compile time.
async fn leaf(v: u64) -> u64 {
    v
}

#[awaitgraph::state_machine(diagrams = false)]
async fn moved_on_one_exit_of_a_while(k: u64) -> u64 {
    let a = String::from("a");
    let mut i = 0;
    while i < k {
        let v = leaf(i).await;
        if v > 2 {
            drop(a);
            break;
        }
        i += 1;
    }
    leaf(1).await
}

#[awaitgraph::state_machine(diagrams = false)]
async fn moved_on_one_exit_of_a_labelled_block(c: bool) -> u64 {
    let a = String::from("a");
    'b: {
        if c {
            drop(a);
            leaf(0).await;
            break 'b;
        }
        leaf(2).await;
    }
    leaf(1).await
}

fn main() {
    let _ = moved_on_one_exit_of_a_while(1);
    let _ = moved_on_one_exit_of_a_labelled_block(true);
}
