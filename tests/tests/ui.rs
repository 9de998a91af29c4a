//! Compile-fail cases pinning every refusal of `#[awaitgraph::state_machine]` (`ui/refused`,
//! `ui/options`), the soundness and `Send` cases rustc must reject through the lowering
//! (`ui/soundness`, `ui/send`), a limit the lowering leaves to rustc to report (`ui/limits`), and one case of the supported syntax that must compile
//! (`ui/pass`). Regenerate the `.stderr` files with `TRYBUILD=overwrite cargo test -p
//! awaitgraph-tests --test ui`, then read each one.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("ui/refused/*.rs");
    t.compile_fail("ui/options/*.rs");
    t.compile_fail("ui/soundness/*.rs");
    t.compile_fail("ui/send/*.rs");
    t.compile_fail("ui/limits/*.rs");
    t.pass("ui/pass/*.rs");
}
