//! Lowered futures run on any executor: tokio's multi-thread runtime (which needs `Send +
//! 'static` futures, so these compile only if the lowering keeps `Send`), tokio's current-thread
//! runtime, and awaitgraph's `block_on`. Outputs are compared with the native fns.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Mutex, mpsc};

/// The same body twice: a native async fn and its lowering.
macro_rules! twins {
    ($native:ident, $lowered:ident, $params:tt -> $ret:ty $body:block) => {
        async fn $native $params -> $ret $body
        #[awaitgraph::state_machine]
        async fn $lowered $params -> $ret $body
    };
}

twins!(native_pipeline, lowered_pipeline, (n: u32) -> (u32, Vec<u32>) {
    let (tx, mut rx) = mpsc::channel(4);
    let producer = tokio::spawn(async move {
        for i in 0..n {
            tx.send(i).await.unwrap();
        }
    });
    let mut got = Vec::new();
    let first = rx.recv().await.unwrap();
    got.push(first);
    tokio::time::sleep(Duration::from_millis(1)).await;
    let second = rx.recv().await.unwrap();
    got.push(second);
    producer.await.unwrap();
    (first + second, got)
});

struct Counter {
    total: Arc<Mutex<u64>>,
}

impl Counter {
    #[awaitgraph::state_machine]
    async fn add(&self, k: u64) -> u64 {
        let mut guard = self.total.lock().await;
        *guard += k;
        let now = *guard;
        drop(guard);
        tokio::task::yield_now().await;
        now
    }
}

fn assert_send<T: Send>(t: T) -> T {
    t
}

#[test]
fn multi_thread_runtime_runs_spawned_lowered_futures() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let native = rt.block_on(native_pipeline(3));
    // `tokio::spawn` requires `Send + 'static`: the lowered future is `Send` because what it
    // saves is.
    let lowered = rt.block_on(async {
        tokio::spawn(assert_send(lowered_pipeline(3)))
            .await
            .unwrap()
    });
    assert_eq!(native, lowered);
    assert_eq!(lowered, (1, vec![0, 1]));

    let counter = Arc::new(Counter {
        total: Arc::new(Mutex::new(0)),
    });
    let handles: Vec<_> = (1..=20)
        .map(|k| {
            let c = counter.clone();
            rt.spawn(async move { c.add(k).await })
        })
        .collect();
    rt.block_on(async {
        for h in handles {
            h.await.unwrap();
        }
    });
    assert_eq!(*rt.block_on(counter.total.lock()), (1..=20).sum::<u64>());
}

#[tokio::test]
async fn current_thread_runtime() {
    assert_eq!(lowered_pipeline(5).await, native_pipeline(5).await);
}

#[test]
fn awaitgraph_block_on_runs_lowered_and_native() {
    #[awaitgraph::state_machine]
    async fn sum(v: Vec<u32>) -> u32 {
        let a = std::future::ready(v.iter().sum::<u32>()).await;
        let b = std::future::ready(1).await;
        a + b
    }
    assert_eq!(awaitgraph::block_on(sum(vec![1, 2, 3])), 7);
    // A future woken from another thread.
    #[awaitgraph::state_machine]
    async fn from_thread() -> u32 {
        let (tx, rx) = tokio::sync::oneshot::channel();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(5));
            tx.send(41).unwrap();
        });
        rx.await.unwrap() + 1
    }
    assert_eq!(awaitgraph::block_on(from_thread()), 42);
}
