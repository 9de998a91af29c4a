//! A "fetch" that waits on a timer, then returns data or an error that `?` propagates.
//!
//! `fetch` has one await (the sleep), so its machine is `Unresumed -> Suspend0 -> Returned`;
//! `fetch_len` adds the `? Err -> return` edge.

use std::fmt;
use std::time::{Duration, Instant};

use awaitgraph::time::sleep;

/// How long one fetch waits.
pub const FETCH_DELAY: Duration = Duration::from_millis(200);

/// What a fetch returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Data {
    /// The id asked for.
    pub id: u32,
    /// The payload.
    pub body: String,
}

/// Why a fetch failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// No item with this id (id 0 never exists).
    NotFound(u32),
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchError::NotFound(id) => write!(f, "item {id} not found"),
        }
    }
}

impl std::error::Error for FetchError {}

/// Pretends to fetch item `id` over the network: waits `delay`, then answers.
#[awaitgraph::state_machine]
pub async fn fetch(id: u32, delay: Duration) -> Result<Data, FetchError> {
    sleep(delay).await;
    if id == 0 {
        return Err(FetchError::NotFound(id));
    }
    Ok(Data {
        id,
        body: format!("item #{id}"),
    })
}

/// Fetches item `id` and returns the length of its body; a failed fetch returns early via `?`.
#[awaitgraph::state_machine]
pub async fn fetch_len(id: u32) -> Result<usize, FetchError> {
    let data = fetch(id, FETCH_DELAY).await?;
    Ok(data.body.len())
}

/// What the scenario observed.
#[derive(Debug)]
pub struct Outcome {
    /// `fetch(7)`, and how long it took.
    pub fetched: (Result<Data, FetchError>, Duration),
    /// `fetch_len(7)`: `Ok` through `?`.
    pub len_ok: Result<usize, FetchError>,
    /// `fetch_len(0)`: the error propagated by `?`, and how long it took (the sleep still ran).
    pub len_err: (Result<usize, FetchError>, Duration),
}

/// Runs the scenario on awaitgraph's runtime.
pub fn run() -> Outcome {
    awaitgraph::block_on(async {
        let t = Instant::now();
        let fetched = fetch(7, FETCH_DELAY).await;
        let fetched = (fetched, t.elapsed());
        let len_ok = fetch_len(7).await;
        let t = Instant::now();
        let len_err = fetch_len(0).await;
        Outcome {
            fetched,
            len_ok,
            len_err: (len_err, t.elapsed()),
        }
    })
}
