//! Refusals that depend on the edition, compiled as edition 2021 (trybuild takes the edition
//! of its test crates from this package). Regenerate the `.stderr` files with
//! `TRYBUILD=overwrite cargo test -p awaitgraph-ui2021`, then read each one.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("ui/*.rs");
}
