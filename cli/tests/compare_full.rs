//! The full `cargo awaitgraph compare` (native build with `AWAITGRAPH_PASSTHROUGH=1`, lowered
//! build without) on `tests/data/hand-lowered`, a crate that lowers its fns by hand in the shape
//! the macro generates; and on the workspace's examples package with the real macro (a workspace
//! member cannot be copied out of its workspace: it builds in place into a temporary target dir).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Copies a test crate into a fresh temporary directory, so builds never write into the tree.
fn copy_crate(src: &Path, name: &str) -> PathBuf {
    let dst = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dst);
    copy_dir(src, &dst);
    dst
}

fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for entry in std::fs::read_dir(src).unwrap() {
        let entry = entry.unwrap();
        let path = entry.path();
        if entry.file_name() == "target" {
            continue;
        }
        if path.is_dir() {
            copy_dir(&path, &dst.join(entry.file_name()));
        } else {
            std::fs::copy(&path, dst.join(entry.file_name())).unwrap();
        }
    }
}

/// Runs `cargo-awaitgraph awaitgraph <args>` (as `cargo awaitgraph` does) on `manifest`, building
/// into `target_dir`.
fn run(manifest: &Path, target_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cargo-awaitgraph"))
        .arg("awaitgraph")
        .args(args)
        .arg("--manifest-path")
        .arg(manifest)
        .env("CARGO_TARGET_DIR", target_dir)
        .env_remove("AWAITGRAPH_PASSTHROUGH")
        .output()
        .unwrap()
}

/// [`run`] on the crate copied to `dir`, with its target dir inside it.
fn cargo_awaitgraph(dir: &Path, args: &[&str]) -> Output {
    run(&dir.join("Cargo.toml"), &dir.join("target"), args)
}

fn compare_json(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("target/awaitgraph/compare/compare.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn compares_a_hand_lowered_crate() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/hand-lowered");
    let dir = copy_crate(&src, "hand-lowered");
    let out = cargo_awaitgraph(&dir, &["compare"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");

    let json = compare_json(&dir);
    let fns = json["fns"].as_array().unwrap();
    let names: Vec<&str> = fns.iter().map(|f| f["fn"].as_str().unwrap()).collect();
    assert_eq!(names, ["borrowed", "sequential"]);
    for f in fns {
        // Both sides found, with the same states.
        let states = |side: &str| -> Vec<String> {
            let mut v: Vec<String> = f[side]["states"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["name"].as_str().unwrap().to_string())
                .collect();
            v.sort();
            v
        };
        assert_eq!(states("native"), states("lowered"), "{}", f["fn"]);
        assert!(f["native_size"].as_u64().unwrap() > 0);
        assert!(f["machine"]["type"].as_str().unwrap().contains("Machine<"));
    }
    let kinds = |f: &serde_json::Value| -> Vec<(String, String)> {
        f["differences"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["kind"].as_str().unwrap().to_string(),
                    d["local"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    };
    let seq = kinds(&fns[1]);
    assert!(
        seq.contains(&("stored-twice".into(), "b".into())),
        "{seq:?}"
    );
    assert!(
        seq.contains(&("argument-prefix".into(), "a".into())),
        "{seq:?}"
    );
    let borrowed = kinds(&fns[0]);
    assert!(
        borrowed.contains(&("awaitee-wrapped".into(), "__awaitee".into())),
        "{borrowed:?}"
    );
    assert!(
        borrowed.contains(&("only-native".into(), "buf".into())),
        "{borrowed:?}"
    );
    if cfg!(target_pointer_width = "64") {
        assert_eq!(fns[1]["native_size"], 40);
        assert_eq!(fns[1]["lowered_size"], 24);
    }
    assert!(stdout.contains("async fn sequential: native"), "{stdout}");
    assert!(stdout.contains("stored twice by rustc"), "{stdout}");
    let dot = std::fs::read_to_string(dir.join("target/awaitgraph/compare/sequential.compare.dot"))
        .unwrap();
    assert!(
        dot.contains("cluster_n") && dot.contains("cluster_l"),
        "{dot}"
    );
}

#[test]
fn a_crate_without_annotated_fns_says_so() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/data/fixture");
    let dir = copy_crate(&src, "no-annotated-fns");
    let out = cargo_awaitgraph(&dir, &["compare"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("--native-only"), "{stderr}");
}

/// The annotated fns of an example file: the name of each `async fn` that follows a
/// `#[awaitgraph::state_machine]` line.
fn annotated_fns(source: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut armed = false;
    for line in source.lines().map(str::trim) {
        if line.starts_with("#[awaitgraph::state_machine") {
            armed = true;
        } else if armed && let Some(i) = line.find("async fn ") {
            let rest = &line[i + 9..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            out.push(name);
            armed = false;
        }
    }
    out
}

/// The `size_of_val(<what>) = N` lines an example prints.
fn sizes_printed(binary: &Path) -> Vec<(String, u64)> {
    let out = Command::new(binary).output().unwrap();
    assert!(out.status.success(), "{} failed", binary.display());
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("size_of_val(")?;
            let (what, n) = rest.split_once(") = ")?;
            Some((what.to_string(), n.trim().parse().ok()?))
        })
        .collect()
}

/// The real command on the examples package: every annotated fn matched with rustc's future,
/// the same number of states, and the sizes it reports equal to `size_of_val` at run time in
/// both builds (the native build runs the same `main` with the attribute passing fns through).
#[test]
fn compares_the_examples_package() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let manifest = root.join("Cargo.toml");
    // Kept between runs (dependencies stay built); the examples crate is rebuilt every time.
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("examples-compare");
    let examples = root.join("examples/examples");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&examples)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .collect();
    names.sort();
    assert!(!names.is_empty());
    let mut compared = 0;
    for path in names {
        let example = path.file_stem().unwrap().to_str().unwrap().to_string();
        let annotated = annotated_fns(&std::fs::read_to_string(&path).unwrap());
        if annotated.is_empty() {
            continue;
        }
        let out = run(
            &manifest,
            &target,
            &[
                "compare",
                "-p",
                "awaitgraph-examples",
                "--example",
                &example,
            ],
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{example}: {stdout}\n{stderr}");
        let base = target.join("awaitgraph/compare");
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(base.join("compare.json")).unwrap())
                .unwrap();
        let fns = json["fns"].as_array().unwrap();
        let mut found: Vec<&str> = fns.iter().map(|f| f["fn"].as_str().unwrap()).collect();
        found.sort();
        let mut expected: Vec<&str> = annotated.iter().map(String::as_str).collect();
        expected.sort();
        assert_eq!(found, expected, "{example}: annotated fns vs compared fns");
        for f in fns {
            let name = f["fn"].as_str().unwrap();
            assert!(
                f["native_size"].as_u64().is_some(),
                "{name}: rustc's future not found"
            );
            assert!(
                f["lowering_found"].as_bool().unwrap(),
                "{name}: no state graph from the macro"
            );
            assert_eq!(
                f["suspend_states"]["native"], f["suspend_states"]["lowered"],
                "{name}: state counts"
            );
            // Every state of rustc's exists on awaitgraph's side and conversely.
            let states = |side: &str| -> Vec<String> {
                let mut v: Vec<String> = f[side]["states"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s["name"].as_str().unwrap().to_string())
                    .collect();
                v.sort();
                v
            };
            assert_eq!(states("native"), states("lowered"), "{name}");
            // Every difference has a cause, and no local is left unexplained.
            for d in f["differences"].as_array().unwrap() {
                assert!(!d["cause"].as_str().unwrap().is_empty(), "{d}");
            }
        }
        // Sizes at run time, from the binaries the two builds produced.
        let exe = format!("{example}{}", std::env::consts::EXE_SUFFIX);
        let lowered = sizes_printed(&base.join("lowered/target/debug/examples").join(&exe));
        let native = sizes_printed(&base.join("native/target/debug/examples").join(&exe));
        if example == "demo" {
            let demo = fns.iter().find(|f| f["fn"] == "demo").unwrap();
            let get = |v: &[(String, u64)], k: &str| {
                v.iter()
                    .find(|(w, _)| w == k)
                    .map(|(_, n)| *n)
                    .unwrap_or_else(|| panic!("demo prints no size_of_val({k})"))
            };
            assert_eq!(get(&lowered, "lowered"), demo["lowered_size"], "lowered");
            assert_eq!(get(&lowered, "native"), demo["native_size"], "native twin");
            // In the native build `demo` itself is rustc's future.
            assert_eq!(get(&native, "lowered"), demo["native_size"], "passthrough");
            assert!(stdout.contains("async fn demo: native"), "{stdout}");
            // rustc's extra saved values in `demo`, each with its cause (rustc 1.95): the
            // arguments stored twice, `name` kept because `format!` borrowed it, and the `&name`
            // temporary of `format!` held across the first await.
            let reasons: Vec<(String, String)> = demo["differences"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| {
                    (
                        d["kind"].as_str().unwrap().to_string(),
                        d["reason"].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            for (kind, reason) in [
                ("stored-twice", "argument stored twice (#62958)"),
                ("only-native", "borrowed local kept to scope end (#96084)"),
                ("only-native", "temporary held across the await by rustc"),
            ] {
                assert!(
                    reasons.contains(&(kind.into(), reason.into())),
                    "{kind}: {reason} missing in {reasons:?}"
                );
            }
            assert!(
                !reasons.iter().any(|(k, _)| k == "only-lowered"),
                "{reasons:?}"
            );
            assert!(stdout.contains("temporary of `name`"), "{stdout}");
            assert_eq!(json["summary"]["matched"], 1);
        }
        compared += 1;
    }
    assert!(compared > 0, "no example has an annotated fn");
}
