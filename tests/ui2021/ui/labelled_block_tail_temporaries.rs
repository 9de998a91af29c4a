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

#[awaitgraph::state_machine]
async fn labelled() -> u64 {
    let r = 'b: {
        let v = fetch().await;
        if v > 1 {
            break 'b v;
        }
        Noisy::new().len() + v
    };
    r
}

fn main() {}
