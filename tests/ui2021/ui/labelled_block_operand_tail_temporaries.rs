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

// The same for a labelled block: edition 2021 keeps the temporaries of its tail to the end of
// the statement (after `fetch(b)` here); the lowering ends them with the block.
#[awaitgraph::state_machine]
async fn operand(v: u64) -> u64 {
    fetch(v).await + fetch('b: {
        let k = fetch(v).await;
        if k > 10 {
            break 'b k;
        }
        Noisy::new().len() + k
    })
    .await
}

fn main() {}
