//! Equivalence cases whose native behaviour depends on the edition, compiled as edition 2021
//! (tests/Cargo.toml): before 2024, an `if let`'s scrutinee temporaries live to the end of the
//! `if let`, through its `else` block. The same cases run as edition 2024 in equivalence.rs.

#![allow(clippy::all, dead_code, unused_mut, unused_macros)]

mod support;
use support::*;

include!("../case_macro.rs");

include!("../cases_edition.rs");
