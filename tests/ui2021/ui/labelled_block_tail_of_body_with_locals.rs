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

// Edition 2021 drops the temporaries of the labelled block's tail (`Noisy::new()`) after the
// fn body's locals (`n`); the lowering passes the block's value on by a jump, dropping them
// first.
#[awaitgraph::state_machine]
async fn tail(v: u64) -> u64 {
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
