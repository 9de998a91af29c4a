//! Producer/consumer over a bounded `mpsc` channel: the producer waits when the channel is full
//! (backpressure), the consumer loops on `while let Some(x) = rx.recv().await` until every
//! sender is dropped.

use std::time::{Duration, Instant};

use awaitgraph::sync::mpsc::{self, Receiver, SendError, Sender};
use awaitgraph::time::sleep;

/// The channel's capacity.
pub const CAPACITY: usize = 4;
/// Items sent.
pub const ITEMS: u32 = 20;
/// How long the consumer takes per item (it is the slow side).
pub const CONSUME: Duration = Duration::from_millis(5);

/// Sends `0..n` into `tx`, then drops it (closing the channel); `?` stops early if the
/// receiver is gone. Returns how many items were sent.
#[awaitgraph::state_machine]
pub async fn producer(tx: Sender<u32>, n: u32) -> Result<u32, SendError<u32>> {
    for i in 0..n {
        tx.send(i).await?;
    }
    Ok(n)
}

/// Receives until the channel is closed and empty, taking `per_item` for each item; returns
/// the items in the order received and the most items ever waiting in the channel.
#[awaitgraph::state_machine]
// The lowering makes rustc flag every `mut` parameter as `unused_mut` (it rebinds the
// parameter); without `mut`, `rx.recv()` does not compile.
#[allow(unused_mut)]
pub async fn consumer(mut rx: Receiver<u32>, per_item: Duration) -> (Vec<u32>, usize) {
    let mut got = Vec::new();
    let mut max_waiting = 0;
    while let Some(x) = rx.recv().await {
        max_waiting = max_waiting.max(rx.len() + 1);
        got.push(x);
        sleep(per_item).await;
    }
    (got, max_waiting)
}

/// What the scenario observed.
#[derive(Debug)]
pub struct Outcome {
    /// What the producer task returned.
    pub sent: Result<u32, SendError<u32>>,
    /// What the consumer received, in order.
    pub received: Vec<u32>,
    /// The most items waiting in the channel at once (at most its capacity).
    pub max_waiting: usize,
    /// Time from start to the consumer seeing the channel closed.
    pub elapsed: Duration,
}

/// Runs the scenario: the producer is a spawned task, the consumer runs on the main task.
pub fn run() -> Outcome {
    awaitgraph::block_on(async {
        let t = Instant::now();
        let (tx, rx) = mpsc::channel(CAPACITY);
        let producing = awaitgraph::spawn(producer(tx, ITEMS));
        let (received, max_waiting) = consumer(rx, CONSUME).await;
        let elapsed = t.elapsed();
        let sent = producing.await.expect("the producer task panicked");
        Outcome {
            sent,
            received,
            max_waiting,
            elapsed,
        }
    })
}
