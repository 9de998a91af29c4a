async fn step(k: u32) -> String {
    k.to_string()
}

// `last` holds no value in the loop's first iteration and one in the next ones: rustc tracks
// that with a drop flag; the lowering cannot, and refuses.
#[awaitgraph::state_machine]
async fn run(n: u32) -> usize {
    let mut last;
    let mut k = 0;
    loop {
        last = step(k).await;
        k += 1;
        if k == n {
            break;
        }
    }
    last.len()
}

fn main() {}
