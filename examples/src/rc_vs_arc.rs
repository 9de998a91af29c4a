//! A future that holds an `Rc` across an await is not `Send`, so it cannot be `spawn`ed (the
//! task could move to another thread); the same fn with an `Arc` spawns fine.
//!
//! ```compile_fail,E0277
//! awaitgraph::block_on(async {
//!     let task = awaitgraph::spawn(awaitgraph_examples::rc_vs_arc::total_rc(vec![1, 2, 3]));
//!     task.await.unwrap()
//! });
//! ```
//!
//! The error (rustc 1.95): the generated state enum holds the `Rc`s saved in `Suspend0`, and
//! the diagram of `total_rc` marks them "an Rc held across .await: the future is not Send".
//!
//! ```text
//! error[E0277]: `Rc<Vec<u32>>` cannot be sent between threads safely
//!    |
//!    |     let task = awaitgraph::spawn(awaitgraph_examples::rc_vs_arc::total_rc(vec![1, 2, 3]));
//!    |                ----------------- ^^^^^^^^^^^^ `Rc<Vec<u32>>` cannot be sent between threads safely
//!    |                |
//!    |                required by a bound introduced by this call
//!    = help: within `impl Future<Output = u32>`, the trait `Send` is not implemented for `Rc<Vec<u32>>`
//! note: required because it appears within the type
//!       `total_rc::__State<Vec<u32>, YieldNow, Rc<Vec<u32>>, Rc<Vec<u32>>>`
//! note: required by a bound in `awaitgraph::spawn`
//! ```

use std::rc::Rc;
use std::sync::Arc;

use awaitgraph::JoinError;

/// Shares `items` through an `Rc` and holds it across an await: the future is `!Send`.
#[awaitgraph::state_machine]
pub async fn total_rc(items: Vec<u32>) -> u32 {
    let shared = Rc::new(items);
    let for_later = Rc::clone(&shared);
    awaitgraph::yield_now().await;
    for_later.iter().sum()
}

/// The same with an `Arc`: the future is `Send` and can be spawned.
#[awaitgraph::state_machine]
pub async fn total_arc(items: Vec<u32>) -> u32 {
    let shared = Arc::new(items);
    let for_later = Arc::clone(&shared);
    awaitgraph::yield_now().await;
    for_later.iter().sum()
}

/// What the scenario observed.
#[derive(Debug)]
pub struct Outcome {
    /// `total_arc` run as a spawned task.
    pub spawned_arc: Result<u32, JoinError>,
    /// `total_rc` run with `spawn_local` (a `!Send` future stays on this thread).
    pub local_rc: Result<u32, JoinError>,
}

/// Runs the `Arc` version with `spawn` and the `Rc` version with `spawn_local`.
pub fn run() -> Outcome {
    awaitgraph::block_on(async {
        let spawned_arc = awaitgraph::spawn(total_arc(vec![1, 2, 3, 4])).await;
        let local_rc = awaitgraph::spawn_local(total_rc(vec![1, 2, 3, 4])).await;
        Outcome {
            spawned_arc,
            local_rc,
        }
    })
}

/// `true` for a `Send` type (checked at compile time; always returns `true`).
pub fn is_send<T: Send>(_: &T) -> bool {
    true
}
