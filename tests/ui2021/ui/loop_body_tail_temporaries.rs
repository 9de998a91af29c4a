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

// Edition 2021 drops the body tail's temporaries after `_l`, at the end of each iteration.
#[awaitgraph::state_machine]
async fn each(v: u64) -> u64 {
    let mut t = 0;
    for i in 0..v {
        let _l = Noisy::new();
        t += fetch().await + i;
        Noisy::new().len();
        drop(Noisy::new().len())
    }
    t
}

fn main() {}
