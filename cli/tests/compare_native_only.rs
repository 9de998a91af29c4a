//! `cargo awaitgraph compare --native-only` on the fixture crate of core's parser tests: the real
//! command, a real (stable, RUSTC_BOOTSTRAP=1) build, checked against what rustc reports.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Copies the fixture crate (without any target dir) into a fresh temporary directory, so the
/// build never writes into the source tree.
fn fixture_copy(name: &str) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/data/fixture");
    let dst = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dst);
    std::fs::create_dir_all(dst.join("src")).unwrap();
    for file in ["Cargo.toml", "Cargo.lock", "src/lib.rs"] {
        std::fs::copy(src.join(file), dst.join(file)).unwrap();
    }
    dst
}

/// Runs `cargo-awaitgraph awaitgraph <args>` (as `cargo awaitgraph` does) on the crate in `dir`.
fn cargo_awaitgraph(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cargo-awaitgraph"))
        .arg("awaitgraph")
        .args(args)
        .arg("--manifest-path")
        .arg(dir.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .output()
        .unwrap()
}

#[test]
fn lists_the_fixture_futures_largest_first() {
    let dir = fixture_copy("native-only");
    let out = cargo_awaitgraph(&dir, &["compare", "--native-only"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("10 found"), "{stdout}");

    let out_dir = dir.join("target/awaitgraph/compare");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("compare.json")).unwrap())
            .unwrap();
    let futures = json["futures"].as_array().unwrap();
    let titles: Vec<&str> = futures
        .iter()
        .map(|f| f["title"].as_str().unwrap())
        .collect();
    for expected in [
        "async fn borrowed_buffer",
        "async fn nested::outer",
        "async fn nested::inner::deep",
        "async block at src/lib.rs:71:5",
        "async fn sequential",
        "async fn Conn::read",
        "async fn fill",
        "async fn leaf",
        "async fn uses_generic",
        "async fn generic_id<u8>",
    ] {
        assert!(titles.contains(&expected), "{expected} missing: {titles:?}");
    }
    let sizes: Vec<u64> = futures
        .iter()
        .map(|f| f["size"].as_u64().unwrap())
        .collect();
    assert!(sizes.windows(2).all(|w| w[0] >= w[1]), "{sizes:?}");

    let by_title = |t: &str| futures.iter().find(|f| f["title"] == t).unwrap();
    let seq = by_title("async fn sequential");
    let states: Vec<&str> = seq["states"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        states,
        ["Unresumed", "Suspend0", "Suspend1", "Returned", "Panicked"]
    );
    // `x` is saved in Suspend1, with its source span from the MIR dump.
    let x = seq["states"][2]["saved"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == "x")
        .unwrap();
    assert_eq!(x["span"], "src/lib.rs:34:9: 34:10");
    if cfg!(target_pointer_width = "64") {
        assert_eq!(by_title("async fn borrowed_buffer")["size"], 120);
        assert_eq!(seq["size"], 72);
        assert_eq!(by_title("async fn nested::inner::deep")["size"], 96);
        assert_eq!(by_title("async block at src/lib.rs:71:5")["size"], 84);
        assert!(stdout.contains("buf 64 B in Suspend0"), "{stdout}");
    }
    let dot = std::fs::read_to_string(out_dir.join("futures/sequential.dot")).unwrap();
    assert!(
        dot.contains("Suspend1") && dot.contains("stored twice"),
        "{dot}"
    );
}

#[test]
fn errors_are_one_line_and_fail() {
    let dir = fixture_copy("errors");
    let out = cargo_awaitgraph(&dir, &["compare", "--native-only", "--bin", "nope"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("error: unknown target `bin nope`"),
        "{stderr}"
    );

    let lib = dir.join("src/lib.rs");
    let text = std::fs::read_to_string(&lib).unwrap();
    std::fs::write(&lib, text + "\npub fn broken() -> u8 { \"x\" }\n").unwrap();
    let out = cargo_awaitgraph(&dir, &["compare", "--native-only"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("error: the crate does not build: error[E0308]"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}
