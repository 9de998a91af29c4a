async fn index() -> usize {
    0
}

// The value of a compound assignment on primitives runs before its place, the value of an
// assignment always does: with an await in the place and a value that is not a literal, the
// lowering cannot keep that order.
#[awaitgraph::state_machine]
async fn f(mut a: [u64; 2], k: u64) -> u64 {
    a[index().await] += k;
    a[index().await] = k * 2;
    a[0]
}

fn main() {}
