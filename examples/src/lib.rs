//! Runnable examples of awaitgraph.
