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

async fn fetch() -> u64 {
    1
}

// Edition 2021 keeps the branch tail's temporaries to the end of the branch, after `_l`.
#[awaitgraph::state_machine]
async fn branch(v: u64) -> u64 {
    let r = if v > 0 {
        let _l = Noisy::new();
        let k = fetch().await;
        Noisy::new().len() + k
    } else {
        0
    };
    r
}

fn main() {}
