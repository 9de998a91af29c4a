//! Running cargo: `cargo metadata` to find the package and target dir, and
//! `RUSTC_BOOTSTRAP=1 cargo rustc <target> -- -Zprint-type-sizes ...` to get rustc's layouts,
//! with every failure turned into one line that says what to do.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Which target of the package to build (`cargo rustc` needs exactly one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// `--lib`
    Lib,
    /// `--bin NAME`
    Bin(String),
    /// `--example NAME`
    Example(String),
    /// `--test NAME`
    Test(String),
}

impl Target {
    /// The cargo arguments selecting it.
    pub fn args(&self) -> Vec<String> {
        match self {
            Target::Lib => vec!["--lib".into()],
            Target::Bin(n) => vec!["--bin".into(), n.clone()],
            Target::Example(n) => vec!["--example".into(), n.clone()],
            Target::Test(n) => vec!["--test".into(), n.clone()],
        }
    }

    /// For messages and JSON: `lib`, `bin foo`, ...
    pub fn describe(&self) -> String {
        self.args().join(" ").trim_start_matches("--").to_string()
    }
}

/// What `cargo metadata` says about where we are.
#[derive(Clone, Debug)]
pub struct Workspace {
    /// The target directory (honours `CARGO_TARGET_DIR` and config).
    pub target_dir: PathBuf,
    /// The package to build, when it can be told (from `-p`, or the only/current package).
    pub package: Option<String>,
    /// The workspace root: rustc's source spans are relative to it.
    pub root: Option<PathBuf>,
}

/// The `cargo` to run: `$CARGO` when cargo started us, else `cargo` from `PATH`.
fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// Runs `cargo metadata --no-deps` and picks the package.
pub fn workspace(manifest: Option<&Path>, package: Option<&str>) -> Result<Workspace, String> {
    let mut cmd = cargo();
    cmd.args(["metadata", "--format-version", "1", "--no-deps"]);
    if let Some(m) = manifest {
        cmd.arg("--manifest-path").arg(m);
    }
    let out = cmd
        .output()
        .map_err(|e| format!("could not run cargo: {e}"))?;
    if !out.status.success() {
        return Err(first_error(&String::from_utf8_lossy(&out.stderr))
            .unwrap_or_else(|| "`cargo metadata` failed".into()));
    }
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("could not read `cargo metadata` output: {e}"))?;
    let target_dir = meta["target_directory"]
        .as_str()
        .map(PathBuf::from)
        .ok_or("`cargo metadata` gave no target directory")?;
    let packages: Vec<(&str, &str)> = meta["packages"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .filter_map(|p| Some((p["name"].as_str()?, p["manifest_path"].as_str()?)))
                .collect()
        })
        .unwrap_or_default();
    let package = match package {
        Some(p) => {
            if !packages.iter().any(|(n, _)| *n == p) {
                let names: Vec<_> = packages.iter().map(|(n, _)| *n).collect();
                return Err(format!(
                    "no package `{p}` in this workspace (packages: {})",
                    names.join(", ")
                ));
            }
            Some(p.to_string())
        }
        None if packages.len() == 1 => Some(packages[0].0.to_string()),
        None => {
            // The package whose manifest is the one cargo would pick here.
            let manifest = match manifest {
                Some(m) => m.canonicalize().ok(),
                None => find_manifest(),
            };
            manifest.and_then(|m| {
                packages
                    .iter()
                    .find(|(_, path)| Path::new(path).canonicalize().ok().as_ref() == Some(&m))
                    .map(|(n, _)| n.to_string())
            })
        }
    };
    Ok(Workspace {
        target_dir,
        package,
        root: meta["workspace_root"].as_str().map(PathBuf::from),
    })
}

/// The nearest `Cargo.toml` from the current directory up.
fn find_manifest() -> Option<PathBuf> {
    let mut dir = std::env::current_dir().ok()?;
    loop {
        let m = dir.join("Cargo.toml");
        if m.is_file() {
            return m.canonicalize().ok();
        }
        if !dir.pop() {
            return None;
        }
    }
}

/// One `cargo rustc` build.
#[derive(Clone, Debug)]
pub struct Build<'a> {
    /// `--manifest-path`.
    pub manifest: Option<&'a Path>,
    /// `-p`.
    pub package: Option<&'a str>,
    /// Which target.
    pub target: &'a Target,
    /// `--release`.
    pub release: bool,
    /// Its own target dir.
    pub target_dir: &'a Path,
    /// Where to dump `coroutine_resume` MIR, if wanted.
    pub mir_dir: Option<&'a Path>,
    /// Extra environment (`AWAITGRAPH_PASSTHROUGH=1` for the native build).
    pub env: &'a [(&'a str, &'a str)],
}

impl Build<'_> {
    /// Builds and returns rustc's `-Zprint-type-sizes` output. The target crate is cleaned first
    /// (rustc prints nothing for a crate it does not rebuild); dependencies stay cached.
    pub fn run(&self) -> Result<String, String> {
        std::fs::create_dir_all(self.target_dir)
            .map_err(|e| format!("cannot create {}: {e}", self.target_dir.display()))?;
        if let Some(dir) = self.mir_dir {
            // Stale dumps of fns since deleted would be read as current.
            let _ = std::fs::remove_dir_all(dir);
        }
        self.clean()?;
        let mut cmd = cargo();
        cmd.arg("rustc");
        self.common_args(&mut cmd);
        cmd.args(self.target.args());
        if self.release {
            cmd.arg("--release");
        }
        cmd.arg("--").arg("-Zprint-type-sizes");
        if let Some(dir) = self.mir_dir {
            cmd.arg("-Zdump-mir=coroutine_resume");
            cmd.arg(format!("-Zdump-mir-dir={}", dir.display()));
        }
        cmd.env("RUSTC_BOOTSTRAP", "1");
        for (k, v) in self.env {
            cmd.env(k, v);
        }
        let out = cmd
            .output()
            .map_err(|e| format!("could not run cargo: {e}"))?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        if !out.status.success() {
            return Err(explain_failure(&stderr, self.target));
        }
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        if !stdout.contains("print-type-size type:") {
            return Err(
                "the build succeeded but rustc printed no type sizes (was the crate rebuilt?)"
                    .into(),
            );
        }
        Ok(stdout)
    }

    fn common_args(&self, cmd: &mut Command) {
        if let Some(m) = self.manifest {
            cmd.arg("--manifest-path").arg(m);
        }
        if let Some(p) = self.package {
            cmd.args(["-p", p]);
        }
        cmd.arg("--target-dir").arg(self.target_dir);
        cmd.arg("--quiet");
    }

    /// `cargo clean -p PKG` in this build's target dir; without a package name, the whole dir.
    fn clean(&self) -> Result<(), String> {
        match self.package {
            Some(_) => {
                let mut cmd = cargo();
                cmd.arg("clean");
                self.common_args(&mut cmd);
                if self.release {
                    cmd.arg("--release");
                }
                let out = cmd
                    .output()
                    .map_err(|e| format!("could not run cargo: {e}"))?;
                if !out.status.success() {
                    return Err(first_error(&String::from_utf8_lossy(&out.stderr))
                        .unwrap_or_else(|| "`cargo clean` failed".into()));
                }
                Ok(())
            }
            None => std::fs::remove_dir_all(self.target_dir)
                .or_else(|e| match e.kind() {
                    std::io::ErrorKind::NotFound => Ok(()),
                    _ => Err(e),
                })
                .map_err(|e| format!("cannot clean {}: {e}", self.target_dir.display())),
        }
    }
}

/// The first `error...` line of cargo's or rustc's output, with its ` --> file:line:col` if any.
fn first_error(stderr: &str) -> Option<String> {
    let lines: Vec<&str> = stderr.lines().collect();
    let i = lines.iter().position(|l| l.starts_with("error"))?;
    let mut msg = lines[i]
        .trim_start_matches("error: ")
        .trim_end_matches(':')
        .to_string();
    if let Some(at) = lines[i + 1..]
        .iter()
        .take(3)
        .find_map(|l| l.trim().strip_prefix("--> "))
    {
        msg = format!("{msg} ({at})");
    }
    Some(msg)
}

/// Why rustc stopped when it printed no diagnostic: an `LLVM ERROR` or out-of-disk line, and the
/// last line of cargo's `Caused by:` (which names the signal or exit status).
fn compiler_death(stderr: &str) -> Option<String> {
    let lines: Vec<&str> = stderr.lines().map(str::trim).collect();
    let llvm = lines
        .iter()
        .find(|l| l.starts_with("LLVM ERROR") || l.contains("No space left on device"));
    let caused = lines
        .iter()
        .position(|l| *l == "Caused by:")
        .and_then(|i| lines[i + 1..].iter().rev().find(|l| !l.is_empty()));
    let why: Vec<String> = [llvm, caused]
        .into_iter()
        .flatten()
        .map(|l| {
            // `process didn't exit successfully: `rustc ...` (signal: 9, SIGKILL: kill)`:
            // the command line is long and says nothing new; keep the status.
            match l.rfind(" (") {
                Some(i) if l.starts_with("process didn't exit") => {
                    format!("rustc exited {}", &l[i + 1..])
                }
                _ => l.to_string(),
            }
        })
        .collect();
    (!why.is_empty()).then(|| why.join("; "))
}

/// One line saying why `cargo rustc` failed.
pub fn explain_failure(stderr: &str, target: &Target) -> String {
    let first = first_error(stderr).unwrap_or_else(|| {
        stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("cargo failed without a message")
            .trim()
            .to_string()
    });
    if stderr.contains("only accepted on the nightly")
        || stderr.contains("unknown unstable option")
        || stderr.contains("unknown debugging option")
        || stderr.contains("Unrecognized option: 'Z'")
    {
        return format!(
            "this toolchain rejects the -Z flags compare needs even with RUSTC_BOOTSTRAP=1 ({first})"
        );
    }
    if stderr.contains("no library targets found") {
        return "the package has no library target: pass --bin NAME, --example NAME or --test NAME"
            .into();
    }
    if stderr.contains("no bin target named")
        || stderr.contains("no example target named")
        || stderr.contains("no test target named")
    {
        return format!("unknown target `{}`: {first}", target.describe());
    }
    if stderr.contains("could not compile") || stderr.contains("error[") {
        // No diagnostic before cargo's own "could not compile": rustc died (killed, out of
        // disk or memory, an LLVM error); say how, from the lines that are not cargo's.
        if first.starts_with("could not compile")
            && let Some(why) = compiler_death(stderr)
        {
            return format!("the crate does not build: {first}: {why}");
        }
        return format!("the crate does not build: {first}");
    }
    first
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explains_failures_in_one_line() {
        let build = "error[E0308]: mismatched types\n --> src/lib.rs:3:5\n  |\n\
                     error: could not compile `x` (lib) due to 1 previous error\n";
        let m = explain_failure(build, &Target::Lib);
        assert_eq!(
            m,
            "the crate does not build: error[E0308]: mismatched types (src/lib.rs:3:5)"
        );
        let nightly = "error: the option `Z` is only accepted on the nightly compiler\n";
        assert!(explain_failure(nightly, &Target::Lib).starts_with("this toolchain rejects"));
        let bin = "error: no bin target named `nope` in default-run packages\n";
        assert!(
            explain_failure(bin, &Target::Bin("nope".into()))
                .starts_with("unknown target `bin nope`")
        );
        let lib = "error: no library targets found in package `x`\n";
        assert!(explain_failure(lib, &Target::Lib).contains("--bin NAME"));
        let killed = "error: could not compile `awaitgraph` (lib)\n\nCaused by:\n  \
                      process didn't exit successfully: `rustc --crate-name awaitgraph` \
                      (signal: 9, SIGKILL: kill)\n";
        assert_eq!(
            explain_failure(killed, &Target::Lib),
            "the crate does not build: could not compile `awaitgraph` (lib): \
             rustc exited (signal: 9, SIGKILL: kill)"
        );
        let disk = "LLVM ERROR: IO failure on output stream: No space left on device\n\
                    error: could not compile `awaitgraph` (lib)\n";
        assert!(explain_failure(disk, &Target::Lib).ends_with("No space left on device"));
        for m in [build, nightly, bin, lib, killed, disk] {
            assert!(!explain_failure(m, &Target::Lib).contains('\n'));
        }
    }
}
