//! Test support of awaitgraph.
