// The example of DESIGN.md: the reference returned by the awaited call borrows `buf`, which is
// dropped before the reference is read. Native code is rejected with E0505; the lowering must
// be rejected too (the wrapped awaitee lets rustc's borrow checker see the borrow).
async fn first(b: &Vec<u8>) -> &u8 {
    &b[0]
}

#[awaitgraph::state_machine]
async fn dangling() -> u8 {
    let buf = vec![1, 2, 3];
    let r = first(&buf).await;
    drop(buf);
    *r
}

fn main() {}
