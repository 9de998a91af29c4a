//! Diagram files: `<dir>/<crate>/<module path>/<fn>.{dot,svg,mmd}`, written only when their
//! bytes change, never panicking (the macro ignores the errors so a build never breaks).
//!
//! Input: a `StateGraph` for `net::client::fetch` in crate `app`. Output files:
//! `target/awaitgraph/app/net/client/fetch.dot`, `.svg`, `.mmd`.

use std::ffi::OsString;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;

use super::{dot, mermaid, svg};
use crate::model::StateGraph;

/// Which files to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Formats {
    /// `<fn>.dot`.
    pub dot: bool,
    /// `<fn>.svg`.
    pub svg: bool,
    /// `<fn>.mmd` (Mermaid).
    pub mermaid: bool,
}

impl Default for Formats {
    fn default() -> Self {
        Formats {
            dot: true,
            svg: true,
            mermaid: true,
        }
    }
}

/// How the `.svg` is made.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SvgRenderer {
    /// Graphviz's `dot` when it is on `PATH` (checked once per process), else the fallback.
    #[default]
    Auto,
    /// Always Graphviz; an error when `dot` is missing.
    Graphviz,
    /// Always the pure-Rust renderer (no process spawned).
    Fallback,
}

/// Where and what [`write_outputs`] writes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OutputOptions {
    /// The crate's name (`CARGO_CRATE_NAME`); empty: `unknown_crate`.
    pub crate_name: String,
    /// The module path (`net::client`) or the source file path relative to the crate
    /// (`src/net/client.rs`); each part becomes a directory. Empty: the crate's directory.
    pub module_path: String,
    /// Which files to write.
    pub formats: Formats,
    /// How the SVG is made.
    pub svg: SvgRenderer,
    /// The base directory; `None`: [`base_dir_from_env`].
    pub dir: Option<PathBuf>,
}

/// The base directory of the diagrams from the process environment: `AWAITGRAPH_DIR` if set,
/// else `<target dir>/awaitgraph`, where the target dir is `CARGO_TARGET_DIR` (relative to the
/// workspace root) or `target/` in the workspace root found by walking up from
/// `CARGO_MANIFEST_DIR` (or the current directory) to a `Cargo.toml` with `[workspace]`, else
/// to a directory that has `target/`, else the manifest directory itself.
pub fn base_dir_from_env() -> Option<PathBuf> {
    base_dir_with(
        &|key| std::env::var_os(key),
        std::env::current_dir().ok().as_deref(),
    )
}

pub(crate) fn base_dir_with(
    env: &dyn Fn(&str) -> Option<OsString>,
    cwd: Option<&Path>,
) -> Option<PathBuf> {
    let set = |key: &str| env(key).filter(|v| !v.is_empty()).map(PathBuf::from);
    let manifest = set("CARGO_MANIFEST_DIR").or_else(|| cwd.map(Path::to_path_buf));
    let root = manifest.as_deref().map(workspace_root);
    if let Some(dir) = set("AWAITGRAPH_DIR") {
        return Some(absolute(dir, root.as_deref().or(cwd)));
    }
    if let Some(target) = set("CARGO_TARGET_DIR") {
        return Some(absolute(target, root.as_deref().or(cwd)).join("awaitgraph"));
    }
    Some(root?.join("target").join("awaitgraph"))
}

fn absolute(path: PathBuf, base: Option<&Path>) -> PathBuf {
    match base {
        Some(base) if path.is_relative() => base.join(path),
        _ => path,
    }
}

/// The workspace root above (or at) `manifest_dir`.
pub(crate) fn workspace_root(manifest_dir: &Path) -> PathBuf {
    let is_workspace = |dir: &Path| {
        fs::read_to_string(dir.join("Cargo.toml")).is_ok_and(|text| {
            text.lines()
                .any(|l| l.trim_start().starts_with("[workspace"))
        })
    };
    if let Some(dir) = manifest_dir.ancestors().find(|d| is_workspace(d)) {
        return dir.to_path_buf();
    }
    if let Some(dir) = manifest_dir.ancestors().find(|d| d.join("target").is_dir()) {
        return dir.to_path_buf();
    }
    manifest_dir.to_path_buf()
}

/// A file or directory name made safe: no separators, no `..`, no characters Windows refuses.
fn safe_component(part: &str) -> Option<String> {
    let cleaned: String = part
        .trim()
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    let cleaned = cleaned.trim_matches('.').to_string();
    (!cleaned.is_empty()).then_some(cleaned)
}

/// The path of the diagram of `graph` without extension: `<base>/<crate>/<module..>/<fn>`.
pub(crate) fn stem(base: &Path, graph: &StateGraph, options: &OutputOptions) -> PathBuf {
    let mut path = base
        .join(safe_component(&options.crate_name).unwrap_or_else(|| "unknown_crate".to_string()));
    let module = options.module_path.replace("::", "/");
    let module = module.strip_suffix(".rs").unwrap_or(&module);
    for part in Path::new(module).components() {
        if let Component::Normal(p) = part
            && let Some(p) = p.to_str().and_then(safe_component)
        {
            path.push(p);
        }
    }
    // `Type::method` -> `Type.method`.
    let name = graph.fn_name.replace("::", ".");
    path.push(safe_component(&name).unwrap_or_else(|| "unnamed".to_string()));
    path
}

static DOT_AVAILABLE: OnceLock<bool> = OnceLock::new();

/// A marker in each SVG naming its source and renderer, so an unchanged diagram is not
/// rendered again (expansion runs often, e.g. in an IDE).
fn svg_marker(dot_text: &str, renderer: &str) -> String {
    // FNV-1a, 64 bits: stable across platforms and releases.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in dot_text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("<!-- awaitgraph: source {h:016x}, renderer {renderer} -->")
}

/// Inserts `marker` after the XML declaration (or at the start).
fn with_marker(svg: &str, marker: &str) -> String {
    match svg.strip_prefix("<?xml") {
        Some(_) => match svg.find("?>") {
            Some(end) => format!("{}\n{marker}{}", &svg[..end + 2], &svg[end + 2..]),
            None => format!("{marker}\n{svg}"),
        },
        None => format!("{marker}\n{svg}"),
    }
}

/// Writes `bytes` to `path` unless it already holds exactly them; through a temporary file and
/// a rename, so a reader never sees half a file.
fn write_if_changed(path: &Path, bytes: &[u8]) -> io::Result<()> {
    if fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    fs::write(&tmp, bytes)?;
    match fs::rename(&tmp, path) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            // Another process may have written the same content meanwhile.
            if fs::read(path).is_ok_and(|old| old == bytes) {
                Ok(())
            } else {
                Err(e)
            }
        }
    }
}

/// Writes the diagrams of `graph` as chosen by `options` to
/// `<dir>/<crate>/<module path>/<fn>.{dot,svg,mmd}` and returns the paths of the files (written
/// or already up to date). Files whose bytes would not change are not touched; an SVG whose
/// source and renderer did not change is not rendered again. Never panics: the first error is
/// returned after every other file was attempted.
pub fn write_outputs(graph: &StateGraph, options: &OutputOptions) -> io::Result<Vec<PathBuf>> {
    let base = match &options.dir {
        Some(dir) => dir.clone(),
        None => base_dir_from_env().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                "no diagram directory: set AWAITGRAPH_DIR or CARGO_MANIFEST_DIR",
            )
        })?,
    };
    let stem = stem(&base, graph, options);
    let with_ext = |ext: &str| {
        let mut p = stem.clone().into_os_string();
        p.push(".");
        p.push(ext);
        PathBuf::from(p)
    };
    let mut written = Vec::new();
    let mut first_err: Option<io::Error> = None;
    let mut record = |path: PathBuf, result: io::Result<()>| match result {
        Ok(()) => written.push(path),
        Err(e) => {
            if first_err.is_none() {
                first_err = Some(e);
            }
        }
    };
    let f = options.formats;
    let dot_text = (f.dot || f.svg).then(|| dot::to_dot_string(graph));
    if let (true, Some(text)) = (f.dot, &dot_text) {
        let path = with_ext("dot");
        let result = write_if_changed(&path, format!("{text}\n").as_bytes());
        record(path, result);
    }
    if let (true, Some(text)) = (f.svg, &dot_text) {
        let path = with_ext("svg");
        let result = write_svg(graph, text, &path, options.svg);
        record(path, result);
    }
    if f.mermaid {
        let path = with_ext("mmd");
        let result = write_if_changed(&path, mermaid::to_mermaid(graph).as_bytes());
        record(path, result);
    }
    match first_err {
        Some(e) => Err(e),
        None => Ok(written),
    }
}

fn write_svg(graph: &StateGraph, dot_text: &str, path: &Path, mode: SvgRenderer) -> io::Result<()> {
    let use_graphviz = match mode {
        SvgRenderer::Graphviz => true,
        SvgRenderer::Fallback => false,
        SvgRenderer::Auto => *DOT_AVAILABLE.get_or_init(svg::graphviz_available),
    };
    let renderer = if use_graphviz { "graphviz" } else { "fallback" };
    let marker = svg_marker(dot_text, renderer);
    // Up to date: same source, same renderer.
    if let Ok(old) = fs::read(path) {
        let head = &old[..old.len().min(512)];
        if String::from_utf8_lossy(head).contains(&marker) {
            return Ok(());
        }
    }
    let svg_text = if use_graphviz {
        match svg::to_svg(graph) {
            Ok(text) => text,
            Err(e) if mode == SvgRenderer::Graphviz => return Err(e.into()),
            // Auto: `dot` failed after all (uninstalled meanwhile, a Graphviz bug): fall back.
            Err(_) => {
                let fallback = svg::to_svg_fallback(graph);
                let marker = svg_marker(dot_text, "fallback");
                return write_if_changed(path, with_marker(&fallback, &marker).as_bytes());
            }
        }
    } else {
        svg::to_svg_fallback(graph)
    };
    write_if_changed(path, with_marker(&svg_text, &marker).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stem_is_sanitised() {
        let g = StateGraph::new("Client::fetch", "", 0);
        let opts = OutputOptions {
            crate_name: "app".into(),
            module_path: "net::client".into(),
            ..Default::default()
        };
        let p = stem(Path::new("base"), &g, &opts);
        assert_eq!(p, Path::new("base/app/net/client/Client.fetch"));
        let opts = OutputOptions {
            crate_name: "../evil".into(),
            module_path: "src/../net/x.rs".into(),
            ..Default::default()
        };
        let p = stem(Path::new("base"), &g, &opts);
        assert_eq!(p, Path::new("base/_evil/src/net/x/Client.fetch"));
    }

    #[test]
    fn env_precedence() {
        let tmp = std::env::temp_dir().join(format!("awaitgraph-env-{}", std::process::id()));
        let member = tmp.join("ws").join("member");
        fs::create_dir_all(&member).ok();
        fs::write(
            tmp.join("ws").join("Cargo.toml"),
            "[workspace]\nmembers = [\"member\"]\n",
        )
        .ok();
        fs::write(member.join("Cargo.toml"), "[package]\nname = \"m\"\n").ok();
        let manifest = member.clone().into_os_string();
        let env = |vars: Vec<(&'static str, OsString)>| {
            move |k: &str| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone())
        };
        let e = env(vec![("CARGO_MANIFEST_DIR", manifest.clone())]);
        assert_eq!(
            base_dir_with(&e, None),
            Some(tmp.join("ws").join("target").join("awaitgraph"))
        );
        let e = env(vec![
            ("CARGO_MANIFEST_DIR", manifest.clone()),
            ("CARGO_TARGET_DIR", "out".into()),
        ]);
        assert_eq!(
            base_dir_with(&e, None),
            Some(tmp.join("ws").join("out").join("awaitgraph"))
        );
        let e = env(vec![
            ("CARGO_MANIFEST_DIR", manifest),
            ("CARGO_TARGET_DIR", "out".into()),
            ("AWAITGRAPH_DIR", tmp.join("diagrams").into_os_string()),
        ]);
        assert_eq!(base_dir_with(&e, None), Some(tmp.join("diagrams")));
        let _ = fs::remove_dir_all(&tmp);
    }

    #[test]
    fn marker_goes_after_declaration() {
        let s = with_marker("<?xml version=\"1.0\"?>\n<svg/>", "<!-- m -->");
        assert_eq!(s, "<?xml version=\"1.0\"?>\n<!-- m -->\n<svg/>");
        assert_eq!(with_marker("<svg/>", "<!-- m -->"), "<!-- m -->\n<svg/>");
    }
}
