// The guard returned by `m.lock().await` borrows `m`, an owned `Arc` kept after the await: the
// awaitee borrows `m`, so the lowering moves `m` into a wrapper that hands it back with the
// output, and rustc rejects a wrapper returning a borrow of what it hands back, at the
// `.await` (README, "Limits"). Lock through a reference (`m: &Mutex<_>`), or use
// `m.clone().lock_owned().await`.
use std::sync::Arc;
use tokio::sync::Mutex;

#[awaitgraph::state_machine(diagrams = false)]
async fn counter(m: Arc<Mutex<u64>>, n: u64) -> u64 {
    for _ in 0..n {
        let mut g = m.lock().await;
        *g += 1;
    }
    Arc::strong_count(&m) as u64
}

fn main() {}
