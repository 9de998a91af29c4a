struct Noisy;

impl Noisy {
    fn new() -> Noisy {
        Noisy
    }
    fn len(&self) -> u64 {
        1
    }
}

impl Drop for Noisy {
    fn drop(&mut self) {}
}

async fn fetch(v: u64) -> u64 {
    v
}

// Edition 2021 keeps the temporaries of the tail of a block used as an operand to the end of
// the statement (after `fetch(b)` here); the lowering binds the block's value first.
#[awaitgraph::state_machine]
async fn operand(v: u64) -> u64 {
    fetch(v).await + fetch({
        let k = fetch(v).await;
        Noisy::new().len() + k
    })
    .await
}

fn main() {}
