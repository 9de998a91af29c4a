// Edition 2021 keeps the temporaries of a block's tail expression longer than 2024; where the
// lowering cannot keep them as long, each fn below is refused with an error on the tail.
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

// The same for a labelled block: edition 2021 keeps the temporaries of its tail to the end of
// the statement (after `fetch(b)` here); the lowering ends them with the block.
#[awaitgraph::state_machine]
async fn labelled_operand(v: u64) -> u64 {
    fetch(v).await + fetch('b: {
        let k = fetch(v).await;
        if k > 10 {
            break 'b k;
        }
        Noisy::new().len() + k
    })
    .await
}

// Edition 2021 drops the temporaries of the labelled block's tail (`Noisy::new()`) after the
// fn body's locals (`n`); the lowering passes the block's value on by a jump, dropping them
// first.
#[awaitgraph::state_machine]
async fn labelled_tail(v: u64) -> u64 {
    let n = Noisy::new();
    'b: {
        let k = fetch(v).await;
        if k > 10 {
            break 'b k;
        }
        Noisy::new().len() + k + n.len()
    }
}

fn main() {}
