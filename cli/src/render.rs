//! `cargo awaitgraph render [PATH...] [--format svg|png] [--out DIR]`: renders the `.dot`
//! diagrams the macro wrote (or the given files and directories) with Graphviz.

use std::path::{Path, PathBuf};

use awaitgraph_core::render::{self, RenderError, svg};

const USAGE: &str = "\
usage: cargo awaitgraph render [PATH...] [--format svg|png] [--out DIR]

Renders .dot diagrams with Graphviz's `dot`. PATH is a .dot file or a directory searched
recursively; without PATH, the diagrams under target/awaitgraph/ (or $AWAITGRAPH_DIR).
Output goes next to each .dot file, or under DIR with --out.";

/// Parsed arguments.
#[derive(Debug, PartialEq, Eq)]
struct Args {
    paths: Vec<PathBuf>,
    format: String,
    out: Option<PathBuf>,
}

fn parse_args(args: &[String]) -> Result<Option<Args>, String> {
    let mut parsed = Args {
        paths: Vec::new(),
        format: "svg".to_string(),
        out: None,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (key, inline) = match arg.split_once('=') {
            Some((k, v)) if k.starts_with("--") => (k, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| it.next().cloned())
                .ok_or_else(|| format!("{name} needs a value\n\n{USAGE}"))
        };
        match key {
            "-h" | "--help" => return Ok(None),
            "--format" | "-f" => {
                let f = value("--format")?;
                if f != "svg" && f != "png" {
                    return Err(format!("unknown format `{f}`: use svg or png"));
                }
                parsed.format = f;
            }
            "--out" | "-o" => parsed.out = Some(PathBuf::from(value("--out")?)),
            flag if flag.starts_with('-') && flag != "-" => {
                return Err(format!("unknown option `{flag}`\n\n{USAGE}"));
            }
            path => parsed.paths.push(PathBuf::from(path)),
        }
    }
    Ok(Some(parsed))
}

/// Every `.dot` file under `dir`, sorted.
fn dot_files(dir: &Path, found: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            dot_files(&path, found)?;
        } else if path.extension().is_some_and(|e| e == "dot") {
            found.push(path);
        }
    }
    Ok(())
}

/// Runs `render` with the arguments that follow it.
pub fn run(args: &[String]) -> Result<(), String> {
    let Some(args) = parse_args(args)? else {
        println!("{USAGE}");
        return Ok(());
    };
    // (input root, .dot file): the root decides the relative path under --out.
    let mut jobs: Vec<(PathBuf, PathBuf)> = Vec::new();
    let roots = if args.paths.is_empty() {
        let base = render::base_dir_from_env()
            .ok_or("cannot find the target directory: pass a PATH or set AWAITGRAPH_DIR")?;
        if !base.is_dir() {
            return Err(format!(
                "no diagrams in {}: build a crate that uses #[awaitgraph::state_machine] first, \
                 or pass a PATH",
                base.display()
            ));
        }
        vec![base]
    } else {
        args.paths.clone()
    };
    for root in roots {
        if root.is_dir() {
            let mut found = Vec::new();
            dot_files(&root, &mut found)?;
            jobs.extend(found.into_iter().map(|f| (root.clone(), f)));
        } else if root.is_file() {
            let parent = root.parent().map(Path::to_path_buf).unwrap_or_default();
            jobs.push((parent, root));
        } else {
            return Err(format!("{}: no such file or directory", root.display()));
        }
    }
    if jobs.is_empty() {
        return Err("no .dot files found".to_string());
    }
    if !svg::graphviz_available() {
        return Err(RenderError::GraphvizNotFound.to_string());
    }
    let mut failures = 0usize;
    for (root, file) in &jobs {
        let target = match &args.out {
            Some(out) => out.join(file.strip_prefix(root).unwrap_or(file)),
            None => file.clone(),
        }
        .with_extension(&args.format);
        match render_one(file, &target, &args.format) {
            Ok(()) => println!("{}", target.display()),
            Err(e) => {
                failures += 1;
                eprintln!("error: {}: {e}", file.display());
                if matches!(e, Failure::Render(RenderError::GraphvizNotFound)) {
                    break;
                }
            }
        }
    }
    match failures {
        0 => Ok(()),
        n => Err(format!("{n} of {} diagrams failed", jobs.len())),
    }
}

enum Failure {
    Io(std::io::Error),
    Render(RenderError),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Io(e) => e.fmt(f),
            Failure::Render(e) => e.fmt(f),
        }
    }
}

fn render_one(file: &Path, target: &Path, format: &str) -> Result<(), Failure> {
    let text = std::fs::read_to_string(file).map_err(Failure::Io)?;
    let bytes = svg::run_graphviz(&text, format).map_err(Failure::Render)?;
    if let Some(dir) = target.parent() {
        std::fs::create_dir_all(dir).map_err(Failure::Io)?;
    }
    std::fs::write(target, bytes).map_err(Failure::Io)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parses_options() {
        let a = parse_args(&args(&["a.dot", "--format", "png", "--out=o", "dir"]))
            .expect("ok")
            .expect("not help");
        assert_eq!(a.paths, [PathBuf::from("a.dot"), PathBuf::from("dir")]);
        assert_eq!(a.format, "png");
        assert_eq!(a.out, Some(PathBuf::from("o")));
        assert!(parse_args(&args(&["--format", "pdf"])).is_err());
        assert!(parse_args(&args(&["--out"])).is_err());
        assert!(parse_args(&args(&["--bogus"])).is_err());
        assert_eq!(parse_args(&args(&["-h"])), Ok(None));
    }

    #[test]
    fn renders_a_directory_or_explains_graphviz() {
        let dir = std::env::temp_dir().join(format!("awaitgraph-cli-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let sub = dir.join("in").join("m");
        std::fs::create_dir_all(&sub).expect("dir");
        std::fs::write(sub.join("f.dot"), "digraph f { a -> b }\n").expect("write");
        let out = dir.join("out");
        let result = run(&args(&[
            &dir.join("in").to_string_lossy(),
            "--out",
            &out.to_string_lossy(),
        ]));
        if svg::graphviz_available() {
            assert_eq!(result, Ok(()));
            let svg = std::fs::read_to_string(out.join("m").join("f.svg")).expect("svg");
            assert!(svg.contains("<svg"));
        } else {
            let msg = result.expect_err("no dot");
            assert!(msg.contains("apt-get install graphviz"), "{msg}");
        }
        assert!(run(&args(&[&dir.join("missing").to_string_lossy()])).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
