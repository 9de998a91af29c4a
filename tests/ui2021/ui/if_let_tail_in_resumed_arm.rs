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

async fn fetch() -> u64 {
    1
}

// Edition 2021 keeps the temporaries of an `if let`'s scrutinee, as the arm's tail, to the end
// of the arm, after `_l`.
#[awaitgraph::state_machine]
async fn arm(v: u64) -> u64 {
    match v {
        0 => 0,
        _ => {
            let _l = Noisy::new();
            let k = fetch().await;
            if let Some(x) = Noisy::new().first() { x + k } else { k }
        }
    }
}

fn main() {}
