//! Writes `$OUT_DIR/generated_cases.rs` for tests/tests/generated.rs: random async fns from the
//! grammar in tests/generator.rs, each compared native vs lowered by the equivalence harness.
//!
//! `AWAITGRAPH_GEN_COUNT` (default 300) programs from `AWAITGRAPH_GEN_SEED` (default fixed, so
//! CI is deterministic); `AWAITGRAPH_GEN_CONTROL_FLOW=1` adds awaits inside branches and loops;
//! `AWAITGRAPH_GEN_KNOWN_BUGS=1` also generates the shapes of the open lowering bugs (see
//! `DEFAULT_AVOID_KNOWN_BUGS` in tests/generator.rs).

#[path = "generator.rs"]
mod generator;

use std::path::PathBuf;

const DEFAULT_COUNT: usize = 300;
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
    let src = generator::generate_file(seed, count, control_flow, avoid_bugs);
    std::fs::write(out.join("generated_cases.rs"), src).expect("write generated_cases.rs");
}
