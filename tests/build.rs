//! Writes `$OUT_DIR/generated_cases.rs` for tests/tests/generated.rs: random async fns from the
//! grammar in tests/generator.rs, each compared native vs lowered by the equivalence harness.
//!
//! `AWAITGRAPH_GEN_COUNT` (default 250) straight-line programs and `AWAITGRAPH_GEN_CF_COUNT`
//! (default 40) programs with awaits inside branches and loops (`AWAITGRAPH_GEN_CONTROL_FLOW=0`
//! leaves them out), from `AWAITGRAPH_GEN_SEED` (default fixed, so CI is deterministic). The
//! control-flow programs are few because each takes rustc about 1-3 s to type-check lowered;
//! `AWAITGRAPH_GEN_KNOWN_BUGS=0` leaves out the shapes of the lowering bugs found so far (see
//! `DEFAULT_AVOID_KNOWN_BUGS` in tests/generator.rs).
//!
//! Also `$OUT_DIR/generated_cases_2021.rs` for tests/tests/generated2021.rs, a crate of edition
//! 2021 (the `if let` and tail-temporary lowerings differ there): `AWAITGRAPH_GEN_2021_COUNT`
//! (default 40) and `AWAITGRAPH_GEN_2021_CF_COUNT` (default 30) programs of the same seed,
//! without let chains.

#[path = "generator.rs"]
mod generator;

use std::path::PathBuf;

const DEFAULT_COUNT: usize = 250;
const DEFAULT_CF_COUNT: usize = 40;
const DEFAULT_2021_COUNT: usize = 40;
const DEFAULT_2021_CF_COUNT: usize = 30;
const DEFAULT_SEED: u64 = 0x00A4_A17A_9A0F;

fn env<T: std::str::FromStr>(key: &str, default: T) -> T {
    println!("cargo:rerun-if-env-changed={key}");
    match std::env::var(key) {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{key}={v:?} is not a valid value")),
        _ => default,
    }
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=generator.rs");
    let count = env("AWAITGRAPH_GEN_COUNT", DEFAULT_COUNT);
    let seed = env("AWAITGRAPH_GEN_SEED", DEFAULT_SEED);
    let control_flow = env::<u8>(
        "AWAITGRAPH_GEN_CONTROL_FLOW",
        u8::from(generator::DEFAULT_CONTROL_FLOW),
    ) != 0;
    let avoid_bugs = env::<u8>(
        "AWAITGRAPH_GEN_KNOWN_BUGS",
        u8::from(!generator::DEFAULT_AVOID_KNOWN_BUGS),
    ) == 0;
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let cf_count = env("AWAITGRAPH_GEN_CF_COUNT", DEFAULT_CF_COUNT);
    let batches = |count: usize, cf_count: usize| {
        if control_flow {
            vec![(count, false), (cf_count, true)]
        } else {
            vec![(count, false)]
        }
    };
    let options = |edition_2021| generator::Options {
        avoid_bugs,
        edition_2021,
    };
    let src = generator::generate_batches(seed, &batches(count, cf_count), options(false));
    std::fs::write(out.join("generated_cases.rs"), src).expect("write generated_cases.rs");
    let count = env("AWAITGRAPH_GEN_2021_COUNT", DEFAULT_2021_COUNT);
    let cf_count = env("AWAITGRAPH_GEN_2021_CF_COUNT", DEFAULT_2021_CF_COUNT);
    let src = generator::generate_batches(seed, &batches(count, cf_count), options(true));
    std::fs::write(out.join("generated_cases_2021.rs"), src)
        .expect("write generated_cases_2021.rs");
}
