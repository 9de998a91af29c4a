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

// Edition 2021 drops the tail's temporaries after `_a`; the lowered body would drop them before.
#[awaitgraph::state_machine]
async fn tail() -> u64 {
    let _a = Noisy::new();
    let k = fetch().await;
    Noisy::new().len() + k
}

fn main() {}
