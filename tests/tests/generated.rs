//! Generated programs: random async fns written by tests/build.rs from the grammar in
//! tests/generator.rs, each compared native vs lowered like the hand-written equivalence cases.
//!
//! `AWAITGRAPH_GEN_COUNT=500 AWAITGRAPH_GEN_SEED=7 cargo test -p awaitgraph-tests --test generated`
//! runs another set; `AWAITGRAPH_GEN_CONTROL_FLOW=1` adds awaits inside branches and loops,
//! `AWAITGRAPH_GEN_KNOWN_BUGS=1` the shapes of the open lowering bugs (tests/generator.rs).
//! The generated file is `$OUT_DIR/generated_cases.rs`; each case names its seed and index.

#![allow(clippy::all, dead_code, unused, unreachable_code, unused_comparisons)]

mod support;
use support::*;

include!("../case_macro.rs");

include!(concat!(env!("OUT_DIR"), "/generated_cases.rs"));
