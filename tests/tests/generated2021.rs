//! Generated programs compiled as edition 2021 (tests/Cargo.toml): the grammar of
//! tests/tests/generated.rs without let chains, each compared native vs lowered. Before 2024
//! the lowering takes other paths for `if let` (its scrutinee's temporaries live through
//! `else`) and for blocks' tail temporaries. The generated file is
//! `$OUT_DIR/generated_cases_2021.rs` (tests/build.rs).

#![allow(clippy::all, dead_code, unused, unreachable_code, unused_comparisons)]

mod support;
use support::*;

include!("../case_macro.rs");

include!(concat!(env!("OUT_DIR"), "/generated_cases_2021.rs"));
