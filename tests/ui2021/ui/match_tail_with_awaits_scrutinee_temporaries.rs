struct Noisy;

impl Noisy {
    fn new() -> Noisy {
        Noisy
    }
    fn first(&self) -> Option<u64> {
        Some(1)
    }
}

impl Drop for Noisy {
    fn drop(&mut self) {}
}

async fn fetch(v: u64) -> u64 {
    v
}

// Edition 2021 keeps the temporaries of the scrutinee of a `match` that ends a branch to the
// end of the branch, after `_l`; the lowering keeps them in a hidden local the arms' jumps drop
// first.
#[awaitgraph::state_machine]
async fn branch(v: u64) -> u64 {
    let r = if v > 0 {
        let _l = Noisy::new();
        let k = fetch(v).await;
        match Noisy::new().first() {
            Some(x) => fetch(x + k).await,
            None => k,
        }
    } else {
        0
    };
    r
}

fn main() {}
