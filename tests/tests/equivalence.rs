//! Native async fns and their lowering by `#[awaitgraph::state_machine]`, compared on the same
//! inputs: outputs, event logs, poll counts, panics, and drops at every possible point.

#![allow(clippy::all, dead_code, unused_mut)]

mod support;
use support::*;

include!("../case_macro.rs");

include!("../cases.rs");

include!("../cases_edition.rs");
