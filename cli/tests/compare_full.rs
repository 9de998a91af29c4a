//! The full `cargo awaitgraph compare` (native build with `AWAITGRAPH_PASSTHROUGH=1`, lowered
//! build without) on `tests/data/hand-lowered`, a crate that lowers its fns by hand in the shape
//! the macro generates. The test of the examples package, once the macro lowers, is one more
//! `#[test]` here: `run(&workspace_manifest, &tmp_target, &["compare", "-p",
//! "awaitgraph-examples"])` (a workspace member cannot be copied out of its workspace).

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
