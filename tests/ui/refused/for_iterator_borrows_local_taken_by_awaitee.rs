// The awaited call borrows `tx` (`send(&self)`), so `tx` and the locals declared after it,
// `xs` and the loop's iterator, go into the awaitee's wrapper; the iterator borrows `xs`, which
// the wrapper cannot hold beside it. Refused like an iterator borrowing a saved local.
struct Sender;

impl Sender {
    async fn send(&self, _: u32) {}
}

#[awaitgraph::state_machine(diagrams = false)]
async fn send_all(tx: Sender, xs: Vec<u32>) {
    for x in xs.iter().copied().filter(|x| x % 2 == 0) {
        tx.send(x).await;
    }
}

fn main() {}
