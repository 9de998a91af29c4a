//! `cargo awaitgraph compare`: rustc's coroutine layout beside awaitgraph's lowering.
//!
//! `--native-only` builds once and lists rustc's futures (async fns, async blocks) largest first.
//! The full compare builds twice, natively (`AWAITGRAPH_PASSTHROUGH=1`: the attribute passes the fn
//! through) and lowered, pairs `{async fn body of f()}` with `f::__State<..>` (and its `Machine`
//! wrapper), and explains every difference it knows a cause for.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use awaitgraph_core::rustc_layout::{
    self, CoroutineMir, FieldKind, FieldLayout, SourceSpan, TypeKind, TypeLayout, VariantLayout,
};
use serde_json::{Value, json};

use crate::cargo::{self, Build, Target};
use crate::dot::{self, Row};
use crate::lowering::{self, Lowering, Sources};

const HELP: &str = "\
usage: cargo awaitgraph compare [--lib | --bin N | --example N | --test N] [-p PKG] [--fn NAME]
                                [--release] [--format table|json] [--out DIR] [--native-only]
                                [--manifest-path PATH]

Builds the target with RUSTC_BOOTSTRAP=1 and -Zprint-type-sizes into target/awaitgraph/compare/
and puts awaitgraph's lowering of every #[awaitgraph::state_machine] fn beside rustc's own
coroutine layout. --native-only lists rustc's futures (any crate), largest first.
The native build sets AWAITGRAPH_PASSTHROUGH=1 (the attribute leaves fns to rustc) and dumps
coroutine MIR (source spans of rustc's saved locals); the lowered build sets
AWAITGRAPH_STATES_DIR (the macro writes each fn's state graph there), so saved locals are
matched by name and declaration line. Ends with a table of sizes and of the locals only one
side saves, with the causes.
Writes compare.json and a .dot (and .svg when Graphviz is installed) per fn into --out
(default target/awaitgraph/compare).";

/// Output format on the terminal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Table,
    Json,
}

/// The command line of `compare`.
#[derive(Clone, Debug)]
struct Options {
    target: Target,
    package: Option<String>,
    fn_filter: Option<String>,
    release: bool,
    format: Format,
    out: Option<PathBuf>,
    native_only: bool,
    manifest: Option<PathBuf>,
}

fn parse_args(args: &[String]) -> Result<Option<Options>, String> {
    let mut o = Options {
        target: Target::Lib,
        package: None,
        fn_filter: None,
        release: false,
        format: Format::Table,
        out: None,
        native_only: false,
        manifest: None,
    };
    let mut target_set = false;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        // Accept `--opt=value` as well as `--opt value`.
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            inline
                .clone()
                .or_else(|| it.next().cloned())
                .filter(|v| !v.is_empty())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        let mut set_target = |t: Target| -> Result<(), String> {
            if target_set {
                return Err("give one target: --lib, --bin N, --example N or --test N".into());
            }
            target_set = true;
            o.target = t;
            Ok(())
        };
        match flag {
            "--lib" => set_target(Target::Lib)?,
            "--bin" => set_target(Target::Bin(value("--bin")?))?,
            "--example" => set_target(Target::Example(value("--example")?))?,
            "--test" => set_target(Target::Test(value("--test")?))?,
            "-p" | "--package" => o.package = Some(value("--package")?),
            "--fn" => o.fn_filter = Some(value("--fn")?),
            "--release" => o.release = true,
            "--native-only" => o.native_only = true,
            "--out" => o.out = Some(PathBuf::from(value("--out")?)),
            "--manifest-path" => o.manifest = Some(PathBuf::from(value("--manifest-path")?)),
            "--format" => {
                o.format = match value("--format")?.as_str() {
                    "table" => Format::Table,
                    "json" => Format::Json,
                    other => return Err(format!("unknown format `{other}`: use table or json")),
                }
            }
            "-h" | "--help" => return Ok(None),
            other => {
                return Err(format!(
                    "unknown option `{other}` for compare (see `cargo awaitgraph compare --help`)"
                ));
            }
        }
    }
    Ok(Some(o))
}

/// Runs `cargo awaitgraph compare`.
pub fn run(args: &[String]) -> Result<(), String> {
    let Some(o) = parse_args(args)? else {
        say!("{HELP}");
        return Ok(());
    };
    let ws = cargo::workspace(o.manifest.as_deref(), o.package.as_deref())?;
    let base = ws.target_dir.join("awaitgraph").join("compare");
    let out = o.out.clone().unwrap_or_else(|| base.clone());
    std::fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;

    let native_dir = base.join("native");
    let mir_dir = native_dir.join("mir");
    let passthrough: &[(&str, &str)] = &[("AWAITGRAPH_PASSTHROUGH", "1")];
    let native_text = Build {
        manifest: o.manifest.as_deref(),
        package: ws.package.as_deref(),
        target: &o.target,
        release: o.release,
        target_dir: &native_dir.join("target"),
        mir_dir: Some(&mir_dir),
        env: if o.native_only { &[] } else { passthrough },
    }
    .run()?;
    // Kept for inspection (and for bug reports about the parser).
    let _ = std::fs::write(native_dir.join("type-sizes.txt"), &native_text);
    let native = rustc_layout::parse_type_sizes(&native_text)
        .map_err(|e| format!("cannot read rustc's type sizes: {e}"))?;
    let mirs = read_mir_dir(&mir_dir);
    let native_futures = futures_of(&native, &mirs, o.fn_filter.as_deref());

    if o.native_only {
        return report_native(&o, &ws, &out, &native_futures);
    }

    // The macro writes each fn's state graph here (declaration lines of its saved locals).
    let states_dir = base.join("lowered").join("states");
    let _ = std::fs::remove_dir_all(&states_dir);
    let states_env = states_dir.to_string_lossy().into_owned();
    let lowered_text = Build {
        manifest: o.manifest.as_deref(),
        package: ws.package.as_deref(),
        target: &o.target,
        release: o.release,
        target_dir: &base.join("lowered").join("target"),
        mir_dir: None,
        env: &[("AWAITGRAPH_STATES_DIR", &states_env)],
    }
    .run()?;
    let _ = std::fs::write(base.join("lowered").join("type-sizes.txt"), &lowered_text);
    let lowered = rustc_layout::parse_type_sizes(&lowered_text)
        .map_err(|e| format!("cannot read rustc's type sizes: {e}"))?;
    let lowerings = lowering::read_dir(&states_dir);
    let sources = Sources::new(ws.root.clone());
    let comparisons = compare_all(
        &native_futures,
        &native,
        &lowered,
        &lowerings,
        Some(&sources),
        o.fn_filter.as_deref(),
    )?;
    report_compare(&o, &ws, &out, &comparisons)
}

/// One of rustc's futures, with the MIR that maps its saved locals to source spans.
#[derive(Clone, Debug)]
pub struct NativeFuture<'a> {
    /// `async fn nested::inner::deep`, `async block at src/lib.rs:71:5`.
    pub title: String,
    /// A file-name-safe name (`nested__inner__deep`).
    pub stem: String,
    /// The layout as printed.
    pub layout: &'a TypeLayout,
    /// The MIR header, when a dump matched.
    pub mir: Option<&'a CoroutineMir>,
}

/// Reads every MIR dump in `dir` that has a coroutine layout.
fn read_mir_dir(dir: &Path) -> Vec<CoroutineMir> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "mir"))
        .collect();
    files.sort();
    files
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .filter_map(|t| rustc_layout::parse_coroutine_mir(&t))
        .collect()
}

/// rustc's futures, largest first, optionally only those whose path or name matches `filter`.
pub fn futures_of<'a>(
    types: &'a [TypeLayout],
    mirs: &'a [CoroutineMir],
    filter: Option<&str>,
) -> Vec<NativeFuture<'a>> {
    let mut out: Vec<NativeFuture<'a>> = types
        .iter()
        .filter(|t| t.kind.is_async())
        .map(|t| {
            let (title, stem) = titles(&t.kind);
            let mir = mirs.iter().find(|m| mir_matches(m, t));
            NativeFuture {
                title,
                stem,
                layout: t,
                mir,
            }
        })
        .filter(|f| match filter {
            None => true,
            Some(name) => {
                f.title.contains(name)
                    || fn_path(f.layout).is_some_and(|p| rustc_layout::same_fn_path(&p, name))
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.layout
            .size
            .cmp(&a.layout.size)
            .then(a.title.cmp(&b.title))
    });
    // Two futures may get the same stem (generic instantiations): number the later ones.
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for f in &mut out {
        let n = seen.entry(f.stem.clone()).or_default();
        *n += 1;
        if *n > 1 {
            f.stem = format!("{}-{n}", f.stem);
        }
    }
    out
}

fn fn_path(t: &TypeLayout) -> Option<String> {
    match &t.kind {
        TypeKind::AsyncFnBody { path: Some(p), .. } => Some(p.clone()),
        _ => None,
    }
}

fn mir_matches(m: &CoroutineMir, t: &TypeLayout) -> bool {
    let Some(self_ty) = &m.self_ty else {
        return false;
    };
    if *self_ty == t.name {
        return true;
    }
    match (&t.kind, TypeKind::of_name(self_ty)) {
        (
            TypeKind::AsyncFnBody { path: Some(a), .. },
            TypeKind::AsyncFnBody { path: Some(b), .. },
        ) => {
            rustc_layout::same_fn_path(a, &b)
                && (m.item.starts_with('<') || rustc_layout::same_fn_path(a, m.fn_path()))
        }
        _ => false,
    }
}

fn titles(kind: &TypeKind) -> (String, String) {
    let safe = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect::<String>()
    };
    match kind {
        TypeKind::AsyncFnBody { path: Some(p), .. } => {
            (format!("async fn {p}"), safe(&p.replace("::", "__")))
        }
        TypeKind::AsyncFnBody { span: Some(s), .. } => (
            format!("async fn at {}:{}:{}", s.file, s.line, s.col),
            format!("async_fn_{}_{}_{}", safe(&s.file), s.line, s.col),
        ),
        TypeKind::AsyncBlock { span } => (
            format!("async block at {}:{}:{}", span.file, span.line, span.col),
            format!(
                "async_block_{}_{}_{}",
                safe(&span.file),
                span.line,
                span.col
            ),
        ),
        TypeKind::AsyncClosureBody { span } => (
            format!("async closure at {}:{}:{}", span.file, span.line, span.col),
            format!(
                "async_closure_{}_{}_{}",
                safe(&span.file),
                span.line,
                span.col
            ),
        ),
        _ => ("future".into(), "future".into()),
    }
}

fn field_json(f: &FieldLayout, state: &str, mir: Option<&CoroutineMir>) -> Value {
    let span = match f.kind {
        FieldKind::Local => mir
            .and_then(|m| m.saved_named(state, &f.name))
            .and_then(|s| s.span.as_ref())
            .map(|s| s.to_string()),
        _ => None,
    };
    json!({
        "kind": f.kind.as_str(),
        "name": f.name,
        "offset": f.computed_offset,
        "size": f.size,
        "align": f.align,
        "type": f.ty,
        "padding_before": f.padding_before,
        "span": span,
    })
}

fn layout_json(t: &TypeLayout, mir: Option<&CoroutineMir>) -> Value {
    json!({
        "type": t.name,
        "size": t.size,
        "align": t.align,
        "discriminant": t.discriminant,
        "end_padding": t.end_padding,
        "states": t.variants.iter().map(|v| json!({
            "name": v.name,
            "size": v.size,
            "padding": v.padding(),
            "saved": v.fields.iter().map(|f| field_json(f, &v.name, mir)).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

fn write_json(path: &Path, value: &Value) -> Result<(), String> {
    let text = serde_json::to_string_pretty(value).map_err(|e| e.to_string())? + "\n";
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn biggest(t: &TypeLayout) -> String {
    match t.largest_field() {
        Some((state, f)) => {
            let ty =
                f.ty.as_deref()
                    .map(|t| format!(": {}", shorten(t, 32)))
                    .unwrap_or_default();
            format!("{} {} B in {state}{ty}", f.name, f.size)
        }
        None => "-".into(),
    }
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let head: String = text.chars().take(max - 1).collect();
    format!("{head}…")
}

fn report_native(
    o: &Options,
    ws: &cargo::Workspace,
    out: &Path,
    futures: &[NativeFuture<'_>],
) -> Result<(), String> {
    let dir = out.join("futures");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut svg = true;
    for f in futures {
        svg &= dot::write(
            &dir.join(format!("{}.dot", f.stem)),
            &dot::native_future(&f.title, f.layout),
        )?;
    }
    let doc = json!({
        "mode": "native-only",
        "package": ws.package,
        "target": o.target.describe(),
        "futures": futures.iter().map(|f| {
            let mut v = layout_json(f.layout, f.mir);
            v["title"] = json!(f.title);
            v["file"] = json!(format!("futures/{}.dot", f.stem));
            v
        }).collect::<Vec<_>>(),
    });
    write_json(&out.join("compare.json"), &doc)?;
    if o.format == Format::Json {
        say!(
            "{}",
            serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?
        );
        return Ok(());
    }
    if futures.is_empty() {
        say!("rustc generated no futures in this target (no async fn or async block).");
        return Ok(());
    }
    say!(
        "rustc's futures in {} ({}), largest first: {} found{}",
        ws.package.as_deref().unwrap_or("this package"),
        o.target.describe(),
        futures.len(),
        if futures.len() > 10 {
            ", the 10 largest:"
        } else {
            ""
        }
    );
    say!(
        "{:>7}  {:>6}  {:<36}  biggest saved local",
        "bytes",
        "states",
        "future"
    );
    for f in futures.iter().take(10) {
        say!(
            "{:>7}  {:>6}  {:<36}  {}",
            f.layout.size,
            f.layout.variants.len(),
            f.title,
            biggest(f.layout)
        );
    }
    say!("wrote {}", out.join("compare.json").display());
    say!(
        "wrote {} diagram(s) in {}{}",
        futures.len(),
        dir.display(),
        if svg {
            ""
        } else {
            " (.dot only: install Graphviz, e.g. `apt-get install graphviz`, for .svg)"
        }
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Full compare.

/// The fn path of awaitgraph's generated state enum, from its printed type name, and whether the
/// name is the `Machine<__State<..>, F>` wrapper. Tolerant of paths before `Machine` and generic
/// arguments after `__State`: `awaitgraph::__private::Machine<f::__State<u8>, {closure@..}>` and
/// `m::f::__State<u8, u32>` both give `f`/`m::f`.
pub fn lowered_fn_path(name: &str) -> Option<(String, bool)> {
    let name = name.trim();
    let (head, args) = split_generics(name);
    if head == "Machine" || head.ends_with("::Machine") {
        let first = top_level_args(args?).into_iter().next()?;
        let (path, _) = lowered_fn_path(first)?;
        return Some((path, true));
    }
    let path = head.strip_suffix("::__State")?;
    if path.is_empty() || path.contains(['{', '[', ' ']) {
        return None;
    }
    Some((path.to_string(), false))
}

/// `a::B<x, y>` -> (`a::B`, Some(`x, y`)).
fn split_generics(name: &str) -> (&str, Option<&str>) {
    match name.find('<') {
        Some(i) if name.ends_with('>') => (&name[..i], Some(&name[i + 1..name.len() - 1])),
        _ => (name, None),
    }
}

/// Splits generic arguments at top-level commas.
fn top_level_args(args: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in args.char_indices() {
        match c {
            '<' | '(' | '[' | '{' => depth += 1,
            '>' | ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push(args[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(args[start..].trim());
    out
}

/// A difference between the two machines, with its cause where known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    /// The state it is in (`Suspend0`), or `` for the whole future.
    pub state: String,
    /// `stored-twice`, `argument-prefix`, `only-lowered`, `only-native`, `awaitee-wrapped`,
    /// `size`, `padding`, `wrapper`.
    pub kind: &'static str,
    /// The cause in a few words, for tallies (`borrowed local kept to scope end (#96084)`).
    pub reason: &'static str,
    /// The saved local concerned, if any.
    pub local: Option<String>,
    /// Bytes it accounts for (positive: native is bigger).
    pub bytes: i64,
    /// The explanation.
    pub cause: String,
}

/// One annotated fn on both sides.
#[derive(Clone, Debug)]
pub struct Comparison<'a> {
    /// The fn's path as printed by rustc.
    pub path: String,
    /// rustc's future, when the native build has it.
    pub native: Option<NativeFuture<'a>>,
    /// awaitgraph's state enum.
    pub state: &'a TypeLayout,
    /// The `Machine` wrapper (what `size_of_val` of the returned future measures), when printed.
    pub machine: Option<&'a TypeLayout>,
    /// The macro's state graph of the fn, when it wrote one.
    pub lowering: Option<&'a Lowering>,
    /// Readable names of rustc's unnamed temporaries, by (state, printed field name).
    pub native_labels: BTreeMap<(String, String), String>,
    /// Everything that differs.
    pub differences: Vec<Difference>,
}

impl Comparison<'_> {
    /// Size of the lowered future (the Machine when printed, else the state enum).
    pub fn lowered_size(&self) -> u64 {
        self.machine.map_or(self.state.size, |m| m.size)
    }

    /// The source name of field `field` of the lowered state `state` (`__shadowed_x_0` is `x`).
    pub fn lowered_name(&self, state: &str, field: &str) -> String {
        self.lowering
            .and_then(|l| l.state(state))
            .and_then(|s| s.by_field(field))
            .map_or_else(|| source_name(field).to_string(), |s| s.name.clone())
    }

    /// How to show field `field` of rustc's state `state`.
    pub fn native_name(&self, state: &str, field: &str) -> String {
        self.native_labels
            .get(&(state.to_string(), field.to_string()))
            .cloned()
            .unwrap_or_else(|| field.to_string())
    }

    /// Number of `SuspendN` states: (rustc's, awaitgraph's).
    pub fn suspend_counts(&self) -> (Option<usize>, usize) {
        (
            self.native.as_ref().map(|n| n.layout.suspend_count()),
            self.state.suspend_count(),
        )
    }
}

/// Normalises a lowered field name to the source name (`__self`/`self_` are `self`).
fn source_name(name: &str) -> &str {
    match name {
        "__self" | "self_" => "self",
        n => n,
    }
}

/// Pairs every lowered fn with rustc's future and lists the differences.
pub fn compare_all<'a>(
    native: &[NativeFuture<'a>],
    native_types: &[TypeLayout],
    lowered: &'a [TypeLayout],
    lowerings: &'a [Lowering],
    sources: Option<&Sources>,
    filter: Option<&str>,
) -> Result<Vec<Comparison<'a>>, String> {
    let mut states: BTreeMap<String, &'a TypeLayout> = BTreeMap::new();
    let mut machines: BTreeMap<String, &'a TypeLayout> = BTreeMap::new();
    for t in lowered {
        match lowered_fn_path(&t.name) {
            // Several instantiations print the same path: keep the largest (printed first).
            Some((p, false)) => {
                states.entry(p).or_insert(t);
            }
            Some((p, true)) => {
                machines.entry(p).or_insert(t);
            }
            None => {}
        }
    }
    if states.is_empty() {
        return Err(
            "no #[awaitgraph::state_machine] fn found in the lowered build \
                    (use --native-only for rustc's view of any crate)"
                .into(),
        );
    }
    let mut out = Vec::new();
    let all: Vec<String> = states.keys().cloned().collect();
    for (path, state) in states {
        if let Some(f) = filter
            && !rustc_layout::same_fn_path(&path, f)
        {
            continue;
        }
        let native = native
            .iter()
            .find(|n| fn_path(n.layout).is_some_and(|p| rustc_layout::same_fn_path(&p, &path)))
            .cloned();
        let machine = machines.get(&path).copied();
        let mir = native.as_ref().and_then(|n| n.mir);
        let n_suspend = native
            .as_ref()
            .map_or(state.suspend_count(), |n| n.layout.suspend_count());
        let lowering = lowering::pick(lowerings, &path, mir, n_suspend);
        let ctx = Context {
            mir,
            lowering,
            sources,
            types: native_types,
        };
        let differences = match &native {
            Some(n) => differences_with(
                n.layout,
                state,
                machine,
                &wrapped_sizes(state, lowered),
                &ctx,
            ),
            None => Vec::new(),
        };
        let mut native_labels = BTreeMap::new();
        for v in native.iter().flat_map(|n| &n.layout.variants) {
            for f in &v.fields {
                if f.name.starts_with(".coroutine_field") {
                    native_labels.insert(
                        (v.name.clone(), f.name.clone()),
                        native_label(f, &ctx, &v.name),
                    );
                }
            }
        }
        out.push(Comparison {
            path,
            native,
            state,
            machine,
            lowering,
            native_labels,
            differences,
        });
    }
    if let Some(f) = filter
        && out.is_empty()
    {
        return Err(format!(
            "no annotated fn matches `{f}` (annotated: {})",
            all.join(", ")
        ));
    }
    Ok(out)
}

/// The differences between rustc's layout `n` and awaitgraph's state enum `l` (with wrapper `m`).
/// Sizes of the `async { .. }` blocks among the state enum's type arguments: awaitees awaitgraph
/// wrapped because the awaited call borrows saved locals. rustc prints no field types for
/// enums, so a `__awaitee` of one of these sizes is taken to be such a block.
pub fn wrapped_sizes(state: &TypeLayout, lowered: &[TypeLayout]) -> Vec<u64> {
    let Some(args) = split_generics(&state.name).1 else {
        return Vec::new();
    };
    top_level_args(args)
        .into_iter()
        .filter(|a| matches!(TypeKind::of_name(a), TypeKind::AsyncBlock { .. }))
        .filter_map(|a| lowered.iter().find(|t| t.name == a).map(|t| t.size))
        .collect()
}

/// What besides the two layouts the comparison can read: rustc's MIR (source spans of its saved
/// locals, which ones are borrowed), awaitgraph's state graph (declaration lines, origins,
/// wrapped awaitees) and the source text. Everything optional: without it, names are matched.
#[derive(Clone, Copy, Default)]
pub struct Context<'a> {
    /// The coroutine MIR of the native fn.
    pub mir: Option<&'a CoroutineMir>,
    /// The macro's own account of the lowered fn.
    pub lowering: Option<&'a Lowering>,
    /// Source text for snippets of unnamed temporaries.
    pub sources: Option<&'a Sources>,
    /// rustc's printed types (sizes of the saved locals' types).
    pub types: &'a [TypeLayout],
}

/// A local of rustc's variant, with what the MIR says about it.
struct NativeLocal<'a> {
    f: &'a FieldLayout,
    span: Option<&'a SourceSpan>,
    borrowed: bool,
    unnamed: bool,
    /// The source text at its span.
    text: Option<String>,
    /// Its type as the MIR prints it.
    ty: Option<&'a str>,
}

/// Size of a type rustc printed (`awaitgraph_tests::Noisy`), or of a primitive, when known.
fn type_size(ctx: &Context<'_>, ty: &str) -> Option<u64> {
    let ptr = u64::from(usize::BITS / 8);
    let ty = ty.replace("'{erased} ", "");
    match ty.as_str() {
        "()" => Some(0),
        "u8" | "i8" | "bool" => Some(1),
        "u16" | "i16" => Some(2),
        "u32" | "i32" | "f32" | "char" => Some(4),
        "u64" | "i64" | "f64" => Some(8),
        "u128" | "i128" => Some(16),
        "usize" | "isize" => Some(ptr),
        t if t.starts_with("&str") || t.starts_with("&mut str") => Some(2 * ptr),
        t if t.starts_with("&[") || t.starts_with("&mut [") || t.starts_with("&dyn ") => {
            Some(2 * ptr)
        }
        t if t.starts_with('&') => Some(ptr),
        t => ctx.types.iter().find(|x| x.name == t).map(|x| x.size),
    }
}

/// The saved local a printed field of rustc's state holds. Shadowed locals print under one
/// name: among the saved locals of that name, the first unused one whose type has the field's
/// size, else the first unused one.
fn native_index(
    ctx: &Context<'_>,
    state: &str,
    f: &FieldLayout,
    used: &mut Vec<usize>,
) -> Option<usize> {
    let mir = ctx.mir?;
    let found = if f.name.starts_with(".coroutine_field") {
        mir.saved_index(state, &f.name)
    } else {
        let all: Vec<usize> = mir
            .saved_indices_named(state, &f.name)
            .into_iter()
            .filter(|i| !used.contains(i))
            .collect();
        let fits = |i: &usize| {
            mir.saved
                .iter()
                .find(|s| s.index == *i)
                .and_then(|s| type_size(ctx, &s.ty))
                == Some(f.size)
        };
        all.iter()
            .copied()
            .find(fits)
            .or_else(|| all.first().copied())
            .or_else(|| mir.saved_index(state, &f.name))
    };
    if let Some(i) = found {
        used.push(i);
    }
    found
}

/// A field of awaitgraph's variant, with what the state graph says about it.
struct LoweredLocal<'a> {
    f: &'a FieldLayout,
    name: String,
    line: Option<usize>,
    temporary: bool,
}

/// The name a reader knows a native saved local by: its own, or for an unnamed temporary the
/// source text it holds (`` `&name` temporary``).
fn native_label(f: &FieldLayout, ctx: &Context<'_>, state: &str) -> String {
    if !f.name.starts_with(".coroutine_field") {
        return f.name.clone();
    }
    let info = ctx
        .mir
        .and_then(|m| m.saved_index(state, &f.name).and_then(|i| m.saved.get(i)));
    let Some(span) = info.and_then(|s| s.span.as_ref()) else {
        return f.name.clone();
    };
    let ty = info
        .map(|s| s.ty.replace("'{erased} ", ""))
        .filter(|t| t.len() <= 24 && !t.is_empty())
        .map(|t| format!(", {t}"))
        .unwrap_or_default();
    match ctx.sources.and_then(|src| src.snippet(span)) {
        // A bool whose span is the closing brace of a scope.
        Some(text) if text == "}" && info.is_some_and(|s| s.ty == "bool") => {
            format!("drop flag (line {})", span.line)
        }
        Some(text) => format!("temporary of `{text}` (line {}{ty})", span.line),
        None => format!("temporary (line {}{ty})", span.line),
    }
}

/// The differences between rustc's layout `n` and awaitgraph's state enum `l` (with wrapper `m`;
/// `wrapped` from [`wrapped_sizes`]). Saved locals match by name, and by declaration line when `ctx` has rustc's MIR
/// and awaitgraph's state graph: a native local pairs with a lowered one of the same name
/// declared on the same line (shadowed locals share a name, not a line), and an unnamed
/// temporary of rustc's with a hidden temporary of awaitgraph's on the same line.
pub fn differences_with(
    n: &TypeLayout,
    l: &TypeLayout,
    m: Option<&TypeLayout>,
    wrapped: &[u64],
    ctx: &Context<'_>,
) -> Vec<Difference> {
    let mut out = Vec::new();
    let diff =
        |state: &str, kind, reason, local: Option<&str>, bytes: i64, cause: String| Difference {
            state: state.to_string(),
            kind,
            reason,
            local: local.map(str::to_string),
            bytes,
            cause,
        };
    for nv in &n.variants {
        let empty = VariantLayout {
            name: nv.name.clone(),
            size: 0,
            fields: Vec::new(),
        };
        let lv = l.variant(&nv.name).unwrap_or(&empty);
        let lstate = ctx.lowering.and_then(|x| x.state(&nv.name));
        let suspend = rustc_layout::is_suspend_name(&nv.name);
        let lowered_awaitee = lv.fields.iter().find(|f| f.name == "__awaitee");
        // The macro's graph says which awaitees it wrapped; without it, guess from the sizes of
        // the async blocks among the enum's type arguments.
        let wrapped = match lstate {
            Some(s) => s.wrapped,
            None => lowered_awaitee.is_some_and(|f| {
                wrapped.contains(&f.size)
                    || f.ty.as_deref().is_some_and(|t| {
                        matches!(TypeKind::of_name(t), TypeKind::AsyncBlock { .. })
                    })
            }),
        };
        // Saved locals already given to a printed field of this state.
        let mut used: Vec<usize> = Vec::new();
        let native_locals: Vec<NativeLocal<'_>> = nv
            .fields
            .iter()
            // Unresumed holds the arguments: rustc's upvars, awaitgraph's fields.
            .filter(|f| {
                (f.kind != FieldKind::Upvar || nv.name == "Unresumed") && f.name != "__awaitee"
            })
            .map(|f| {
                let idx = native_index(ctx, &nv.name, f, &mut used);
                let info = idx.and_then(|i| ctx.mir?.saved.iter().find(|s| s.index == i));
                NativeLocal {
                    f,
                    span: info.and_then(|s| s.span.as_ref()),
                    borrowed: idx.is_some_and(|i| ctx.mir.is_some_and(|m| m.borrowed.contains(&i))),
                    text: info
                        .and_then(|s| s.span.as_ref())
                        .and_then(|span| ctx.sources?.snippet(span)),
                    ty: info.map(|s| s.ty.as_str()),
                    unnamed: f.name.starts_with(".coroutine_field"),
                }
            })
            .collect();
        let lowered_locals: Vec<LoweredLocal<'_>> = lv
            .fields
            .iter()
            .filter(|f| f.name != "__awaitee")
            .map(|f| match lstate.and_then(|s| s.by_field(&f.name)) {
                Some(s) => LoweredLocal {
                    f,
                    name: s.name.clone(),
                    line: (s.line > 0).then_some(s.line),
                    // Renamed shadowed locals (`__shadowed_x_0`) are reported as temporaries
                    // too; their names (`x`) tell them apart.
                    temporary: s.origin == "temporary" && s.name.starts_with("__"),
                },
                None => LoweredLocal {
                    f,
                    name: source_name(&f.name).to_string(),
                    line: None,
                    temporary: f.name.starts_with("__"),
                },
            })
            .collect();
        // Pair native locals with lowered ones.
        let mut paired: Vec<Option<usize>> = vec![None; native_locals.len()];
        let mut taken = vec![false; lowered_locals.len()];
        let same_line = |a: Option<&SourceSpan>, b: Option<usize>| match (a, b) {
            (Some(a), Some(b)) => Some(a.line as usize == b),
            _ => None,
        };
        // How many unpaired locals of each name a side has (pass 4 pairs names unique on both).
        let count = |names: &mut dyn Iterator<Item = bool>| names.filter(|x| *x).count();
        for pass in 0..6 {
            for (i, nl) in native_locals.iter().enumerate() {
                if paired[i].is_some() {
                    continue;
                }
                let same_name = |ll: &LoweredLocal<'_>| {
                    !nl.unnamed && (nl.f.name == ll.name || nl.f.name == ll.f.name)
                };
                let unique = pass == 4
                    && count(
                        &mut native_locals
                            .iter()
                            .zip(&paired)
                            .map(|(x, p)| p.is_none() && !x.unnamed && x.f.name == nl.f.name),
                    ) == 1
                    && count(
                        &mut lowered_locals
                            .iter()
                            .zip(&taken)
                            .map(|(ll, t)| !t && same_name(ll)),
                    ) == 1;
                let found = lowered_locals.iter().enumerate().position(|(j, ll)| {
                    !taken[j]
                        && match pass {
                            // Same name, declared on the same line.
                            0 => same_name(ll) && same_line(nl.span, ll.line) == Some(true),
                            // An unnamed temporary and a hidden one declared on the same line.
                            1 => {
                                nl.unnamed
                                    && ll.temporary
                                    && same_line(nl.span, ll.line) == Some(true)
                                    && nl.f.size == ll.f.size
                            }
                            // Same name and size, a line unknown.
                            2 => {
                                same_name(ll)
                                    && same_line(nl.span, ll.line).is_none()
                                    && nl.f.size == ll.f.size
                            }
                            // rustc's temporary copy of an operand that is a local (`x` in
                            // `x + f().await`), and awaitgraph keeping that local itself.
                            3 => {
                                nl.unnamed
                                    && !ll.temporary
                                    && nl.text.as_deref() == Some(ll.name.as_str())
                                    && nl.f.size == ll.f.size
                            }
                            // Same name, lines disagreeing (a line awaitgraph could not place),
                            // when the name is unique on both sides.
                            4 => unique && same_name(ll),
                            // Temporaries of the same line, sizes differing.
                            _ => {
                                nl.unnamed
                                    && ll.temporary
                                    && same_line(nl.span, ll.line) == Some(true)
                            }
                        }
                });
                if let Some(j) = found {
                    paired[i] = Some(j);
                    taken[j] = true;
                }
            }
        }
        for f in nv.fields.iter().filter(|f| f.kind == FieldKind::Upvar) {
            if !suspend {
                continue;
            }
            let twice = native_locals.iter().any(|x| x.f.name == f.name);
            let in_lowered = lowered_locals.iter().any(|x| x.name == f.name);
            if twice {
                out.push(diff(
                    &nv.name,
                    "stored-twice",
                    "argument stored twice (#62958)",
                    Some(&f.name),
                    f.size as i64,
                    format!(
                        "argument `{}` stored twice by rustc, as upvar and as local (rust-lang/rust#62958)",
                        f.name
                    ),
                ));
            } else if !in_lowered {
                out.push(diff(
                    &nv.name,
                    "argument-prefix",
                    "argument kept in the prefix (#62958)",
                    Some(&f.name),
                    f.size as i64,
                    format!(
                        "argument `{}` kept in rustc's prefix in every state though no longer used (rust-lang/rust#62958)",
                        f.name
                    ),
                ));
            }
        }
        for (nl, p) in native_locals.iter().zip(&paired) {
            let name = &nl.f.name;
            let label = native_label(nl.f, ctx, &nv.name);
            let at = nl
                .span
                .map(|s| format!(" (line {})", s.line))
                .unwrap_or_default();
            match p {
                Some(j) => {
                    let lf = lowered_locals[*j].f;
                    if nl.f.size != lf.size {
                        out.push(diff(
                            &nv.name,
                            "size",
                            "size",
                            Some(name),
                            nl.f.size as i64 - lf.size as i64,
                            format!(
                                "{} is {} B native, {} B lowered",
                                if nl.unnamed {
                                    label.clone()
                                } else {
                                    format!("`{name}`")
                                },
                                nl.f.size,
                                lf.size
                            ),
                        ));
                    }
                }
                None => {
                    let in_awaitee = wrapped
                        && lstate.is_none_or(|s| s.wraps.is_empty() || s.wraps.contains(name));
                    let (reason, cause) = if in_awaitee && !nl.unnamed {
                        (
                            "inside the wrapped awaitee",
                            format!(
                                "`{name}` lives inside awaitgraph's awaitee: moved into an async block because the awaited expression uses it (it may borrow it)"
                            ),
                        )
                    } else if wrapped
                        && nl.unnamed
                        && nl.span.is_some_and(|sp| {
                            lstate.and_then(|s| s.awaitee_line) == Some(sp.line as usize)
                        })
                    {
                        (
                            "inside the wrapped awaitee",
                            format!(
                                "{label} saved by rustc; in awaitgraph it is created inside the wrapped awaitee (an async block), whose size includes it"
                            ),
                        )
                    } else if nl.unnamed && nl.ty == Some("bool") && nl.text.as_deref() == Some("}")
                    {
                        (
                            "drop flag held across the await by rustc",
                            format!(
                                "a drop flag (bool, scope ending at line {}) saved by rustc: it records at run time whether a local moved on some paths still needs dropping; awaitgraph's states say which locals they own instead",
                                nl.span.map_or(0, |s| s.end_line.unwrap_or(s.line))
                            ),
                        )
                    } else if nl.unnamed {
                        (
                            "temporary held across the await by rustc",
                            format!(
                                "{label} saved by rustc: it lives to the end of its statement, across the await; awaitgraph's lowering holds no temporary there"
                            ),
                        )
                    } else if nl.borrowed {
                        (
                            "borrowed local kept to scope end (#96084)",
                            format!(
                                "`{name}`{at} saved by rustc only: it was borrowed, and rustc keeps a borrowed local until its scope ends (rust-lang/rust#96084); awaitgraph finds it dead here"
                            ),
                        )
                    } else {
                        (
                            "dead here for awaitgraph",
                            format!(
                                "`{name}`{at} saved by rustc only: awaitgraph finds it dead or moved here"
                            ),
                        )
                    };
                    out.push(diff(
                        &nv.name,
                        "only-native",
                        reason,
                        Some(name),
                        nl.f.size as i64,
                        cause,
                    ));
                }
            }
        }
        for (j, ll) in lowered_locals.iter().enumerate() {
            if taken[j] {
                continue;
            }
            let name = ll.name.as_str();
            let at = ll.line.map(|l| format!(" (line {l})")).unwrap_or_default();
            let (reason, cause) = if ll.temporary {
                (
                    "hidden temporary of the lowering",
                    format!(
                        "`{name}`{at} is a hidden temporary of the lowering (keeps evaluation order or a temporary's lifetime across the await)"
                    ),
                )
            } else if nv.name == "Unresumed" {
                (
                    "held by Unresumed only",
                    format!("`{name}` held by awaitgraph's Unresumed only"),
                )
            } else {
                (
                    "no types: may need dropping",
                    format!(
                        "`{name}`{at} kept by awaitgraph: without types it cannot know `{name}` has no drop glue or is dead"
                    ),
                )
            };
            out.push(diff(
                &nv.name,
                "only-lowered",
                reason,
                Some(name),
                -(ll.f.size as i64),
                cause,
            ));
        }
        if let (Some(na), Some(la)) = (
            nv.fields.iter().find(|f| f.name == "__awaitee"),
            lowered_awaitee,
        ) {
            if wrapped {
                out.push(diff(
                    &nv.name,
                    "awaitee-wrapped",
                    "awaitee wrapped for a borrow",
                    Some("__awaitee"),
                    na.size as i64 - la.size as i64,
                    format!(
                        "awaitee wrapped in an async block for a borrow{} ({} B native, {} B wrapped)",
                        match lstate.map(|s| &s.wraps) {
                            Some(w) if !w.is_empty() => format!(
                                ", holding {}",
                                w.iter()
                                    .map(|x| format!("`{x}`"))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                            _ => String::new(),
                        },
                        na.size,
                        la.size
                    ),
                ));
            } else if na.size != la.size {
                out.push(diff(
                    &nv.name,
                    "size",
                    "size",
                    Some("__awaitee"),
                    na.size as i64 - la.size as i64,
                    format!(
                        "awaitee is {} B native, {} B lowered (the awaited future itself differs)",
                        na.size, la.size
                    ),
                ));
            }
        }
        // rustc prints its prefix (the arguments) in every variant: padding compares only where
        // both sides hold the state's own data.
        let (np, lp) = (nv.padding(), lv.padding());
        if suspend && np != lp {
            out.push(diff(
                &nv.name,
                "padding",
                "padding",
                None,
                np as i64 - lp as i64,
                format!("padding/alignment: {np} B native, {lp} B lowered"),
            ));
        }
    }
    // rustc widens an enum's tag into padding it would have anyway: only a different end
    // padding costs bytes.
    if n.end_padding != l.end_padding {
        out.push(diff(
            "",
            "padding",
            "padding",
            None,
            n.end_padding as i64 - l.end_padding as i64,
            format!(
                "end padding {} B native, {} B lowered",
                n.end_padding, l.end_padding
            ),
        ));
    }
    if let Some(m) = m
        && m.size != l.size
    {
        out.push(diff(
            "",
            "wrapper",
            "wrapper",
            None,
            l.size as i64 - m.size as i64,
            format!(
                "the Machine wrapper adds {} B to the {} B state enum",
                m.size - l.size.min(m.size),
                l.size
            ),
        ));
    }
    out
}

fn fields_text(v: Option<&VariantLayout>, name: &dyn Fn(&str, &str) -> String) -> String {
    match v {
        None => "(no such state)".into(),
        Some(v) if v.fields.is_empty() => "-".into(),
        Some(v) => v
            .fields
            .iter()
            .map(|f| match f.kind {
                FieldKind::Upvar => format!("{} {} (upvar)", f.name, f.size),
                _ => format!("{} {}", name(&v.name, &f.name), f.size),
            })
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// One row of the figures: per fn, sizes, states, and the saved locals only one side holds.
struct Figures {
    path: String,
    native: Option<u64>,
    lowered: u64,
    states: (Option<usize>, usize),
    only_lowered: Vec<String>,
    only_native: Vec<String>,
    twice: Vec<String>,
}

fn figures(c: &Comparison<'_>) -> Figures {
    let locals = |kind: &str| -> Vec<String> {
        let mut v: Vec<String> = c
            .differences
            .iter()
            .filter(|d| d.kind == kind)
            .filter_map(|d| {
                let local = d.local.clone()?;
                // `.coroutine_field2` -> `tmp@28`.
                Some(
                    match c.native_labels.get(&(d.state.clone(), local.clone())) {
                        Some(label) => match label.split_once("(line ") {
                            Some((_, rest)) => {
                                let what = if label.starts_with("drop flag") {
                                    "flag"
                                } else {
                                    "tmp"
                                };
                                format!("{what}@{}", rest.split([',', ')']).next().unwrap_or(rest))
                            }
                            None => local,
                        },
                        None => local,
                    },
                )
            })
            .collect();
        v.sort();
        v.dedup();
        v
    };
    Figures {
        path: c.path.clone(),
        native: c.native.as_ref().map(|n| n.layout.size),
        lowered: c.lowered_size(),
        states: c.suspend_counts(),
        only_lowered: locals("only-lowered"),
        only_native: locals("only-native"),
        twice: locals("stored-twice"),
    }
}

/// The figures of all fns and the tallies of causes, as JSON.
fn summary_json(cs: &[Comparison<'_>]) -> Value {
    let rows: Vec<Figures> = cs.iter().map(figures).collect();
    let mut reasons: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for c in cs {
        let mut seen: Vec<(&str, &str)> = c
            .differences
            .iter()
            .filter(|d| matches!(d.kind, "only-lowered" | "only-native" | "stored-twice"))
            .map(|d| (d.kind, d.reason))
            .collect();
        seen.sort();
        seen.dedup();
        for k in seen {
            *reasons.entry(k).or_default() += 1;
        }
    }
    json!({
        "fns": rows.len(),
        "matched": rows.iter().filter(|r| r.native.is_some()).count(),
        "states_agree": rows.iter().filter(|r| r.states.0 == Some(r.states.1)).count(),
        "smaller": rows.iter().filter(|r| r.native.is_some_and(|n| r.lowered < n)).count(),
        "larger": rows.iter().filter(|r| r.native.is_some_and(|n| r.lowered > n)).count(),
        "native_bytes": rows.iter().filter_map(|r| r.native).sum::<u64>(),
        "lowered_bytes": rows.iter().filter(|r| r.native.is_some()).map(|r| r.lowered).sum::<u64>(),
        "fns_only_lowered": rows.iter().filter(|r| !r.only_lowered.is_empty()).count(),
        "fns_only_native": rows.iter().filter(|r| !r.only_native.is_empty()).count(),
        "fns_stored_twice": rows.iter().filter(|r| !r.twice.is_empty()).count(),
        "reasons": reasons.iter().map(|((kind, reason), n)| json!({
            "kind": kind, "reason": reason, "fns": n,
        })).collect::<Vec<_>>(),
    })
}

/// Prints the figures table and the tallies.
fn print_summary(cs: &[Comparison<'_>]) {
    let width = cs
        .iter()
        .map(|c| c.path.len())
        .max()
        .unwrap_or(2)
        .clamp(2, 48);
    say!("");
    say!(
        "{:<width$}  {:>8}  {:>9}  {:>5}  {:>6}  saved only by awaitgraph / only by rustc",
        "fn",
        "native B",
        "lowered B",
        "ratio",
        "awaits"
    );
    for r in cs.iter().map(figures) {
        let list = |v: &[String]| {
            if v.is_empty() {
                "-".to_string()
            } else {
                v.join(" ")
            }
        };
        say!(
            "{:<width$}  {:>8}  {:>9}  {:>5}  {:>6}  {} / {}",
            shorten(&r.path, width),
            r.native.map_or("?".into(), |n| n.to_string()),
            r.lowered,
            r.native.map_or("?".into(), |n| format!(
                "{:.2}",
                r.lowered as f64 / n as f64
            )),
            match r.states.0 {
                Some(n) if n == r.states.1 => n.to_string(),
                Some(n) => format!("{n}≠{}", r.states.1),
                None => format!("?/{}", r.states.1),
            },
            list(&r.only_lowered),
            list(&r.only_native),
        );
    }
    let s = summary_json(cs);
    say!(
        "{} fns, {} matched with rustc's, await counts agree in {}; lowered smaller in {}, larger in {}; total {} B native, {} B lowered",
        s["fns"],
        s["matched"],
        s["states_agree"],
        s["smaller"],
        s["larger"],
        s["native_bytes"],
        s["lowered_bytes"]
    );
    say!(
        "awaitgraph saves a local rustc does not in {} fns; rustc saves a local awaitgraph does not in {} fns; rustc stores an argument twice in {} fns",
        s["fns_only_lowered"],
        s["fns_only_native"],
        s["fns_stored_twice"]
    );
    for r in s["reasons"].as_array().into_iter().flatten() {
        let who = match r["kind"].as_str() {
            Some("only-lowered") => "only awaitgraph",
            Some("only-native") => "only rustc",
            _ => "rustc twice",
        };
        say!(
            "  {:>4} fns  {who}: {}",
            r["fns"],
            r["reason"].as_str().unwrap_or("")
        );
    }
}

fn comparison_json(c: &Comparison<'_>) -> Value {
    let native = c.native.as_ref();
    json!({
        "fn": c.path,
        "native": native.map(|n| layout_json(n.layout, n.mir)),
        "lowered": layout_json(c.state, None),
        "machine": c.machine.map(|m| json!({"type": m.name, "size": m.size, "align": m.align})),
        "native_size": native.map(|n| n.layout.size),
        "lowered_size": c.lowered_size(),
        "ratio": native.map(|n| c.lowered_size() as f64 / n.layout.size as f64),
        "suspend_states": {"native": c.suspend_counts().0, "lowered": c.suspend_counts().1},
        "lowering_found": c.lowering.is_some(),
        "differences": c.differences.iter().map(|d| json!({
            "state": d.state, "kind": d.kind, "reason": d.reason, "local": d.local,
            "bytes": d.bytes, "cause": d.cause,
        })).collect::<Vec<_>>(),
    })
}

/// DOT of the two machines side by side, same state order, differences highlighted.
pub fn compare_dot(c: &Comparison<'_>) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let title = format!("async fn {}", c.path);
    let _ = writeln!(s, "digraph \"compare\" {{");
    let _ = writeln!(
        s,
        "  label=\"{}\"; labelloc=t; node [shape=plain fontname=\"Helvetica\" fontsize=10];",
        dot::html(&title)
    );
    let names: Vec<&str> = match &c.native {
        Some(n) => n.layout.variants.iter().map(|v| v.name.as_str()).collect(),
        None => c.state.variants.iter().map(|v| v.name.as_str()).collect(),
    };
    let edges = dot::resume_order(names.iter().copied());
    let order = dot::display_order(names.iter().copied());
    // A difference is drawn on the side that holds the extra bytes (both for size differences).
    // An upvar row takes the argument notes; a local row its own note first (an argument's local
    // copy that rustc also keeps for a borrow says so), else the stored-twice one.
    let noted = |side: &str, state: &str, name: &str, upvar: bool| {
        let mine = |d: &&Difference| d.state == state && d.local.as_deref() == Some(name);
        let own = c.differences.iter().filter(mine).find(|d| match d.kind {
            "stored-twice" | "argument-prefix" => side == "n" && upvar,
            "only-native" => side == "n" && !upvar,
            "only-lowered" => side == "l",
            _ => !upvar,
        });
        own.or_else(|| {
            c.differences
                .iter()
                .filter(mine)
                .find(|d| side == "n" && !upvar && d.kind == "stored-twice")
        })
        .map(|d| d.cause.clone())
    };
    // The name a difference records, and the name shown.
    let key = |side: &str, state: &str, f: &FieldLayout| -> String {
        match (side, &f.kind) {
            (_, FieldKind::Upvar) | ("n", _) => f.name.clone(),
            _ => c.lowered_name(state, &f.name),
        }
    };
    let shown = |side: &str, state: &str, f: &FieldLayout| -> String {
        match (side, &f.kind) {
            ("n", FieldKind::Local) => c.native_name(state, &f.name),
            _ => key(side, state, f),
        }
    };
    for (side, layout, size) in [
        (
            "n",
            c.native.as_ref().map(|n| n.layout),
            c.native.as_ref().map(|n| n.layout.size),
        ),
        ("l", Some(c.state), Some(c.lowered_size())),
    ] {
        let label = if side == "n" { "rustc" } else { "awaitgraph" };
        let _ = writeln!(
            s,
            "  subgraph cluster_{side} {{ label=\"{label}: {}\";",
            size.map_or("not found".into(), |b| format!("{b} bytes"))
        );
        if let Some(layout) = layout {
            for &i in &order {
                let name = names[i];
                let Some(v) = layout.variant(name) else {
                    continue;
                };
                let rows: Vec<Row> = v
                    .fields
                    .iter()
                    .map(|f| Row {
                        kind: dot::kind_word(&f.kind).to_string(),
                        name: shown(side, name, f),
                        size: f.size,
                        ty: f.ty.clone(),
                        note: noted(side, name, &key(side, name, f), f.kind == FieldKind::Upvar),
                    })
                    .collect();
                let _ = writeln!(
                    s,
                    "    {side}{i} [label={}];",
                    dot::state_label(name, v.size, &rows)
                );
            }
            for w in edges.windows(2) {
                let _ = writeln!(s, "    {side}{} -> {side}{};", w[0], w[1]);
            }
            // States off the resume path (Panicked) go last, in the same order on both sides.
            for w in order[edges.len().saturating_sub(1)..].windows(2) {
                let _ = writeln!(s, "    {side}{} -> {side}{} [style=invis];", w[0], w[1]);
            }
        }
        s.push_str("  }\n");
    }
    s.push_str("}\n");
    s
}

fn report_compare(
    o: &Options,
    ws: &cargo::Workspace,
    out: &Path,
    comparisons: &[Comparison<'_>],
) -> Result<(), String> {
    let mut svg = true;
    for c in comparisons {
        let stem = c.path.replace("::", "__");
        svg &= dot::write(&out.join(format!("{stem}.compare.dot")), &compare_dot(c))?;
    }
    let doc = json!({
        "mode": "compare",
        "package": ws.package,
        "target": o.target.describe(),
        "fns": comparisons.iter().map(comparison_json).collect::<Vec<_>>(),
        "summary": summary_json(comparisons),
    });
    write_json(&out.join("compare.json"), &doc)?;
    if o.format == Format::Json {
        say!(
            "{}",
            serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?
        );
        return Ok(());
    }
    for c in comparisons {
        match &c.native {
            Some(n) => say!(
                "async fn {}: native {} B, lowered {} B, ratio {:.2}",
                c.path,
                n.layout.size,
                c.lowered_size(),
                c.lowered_size() as f64 / n.layout.size as f64
            ),
            None => say!(
                "async fn {}: native not found (did the macro honour AWAITGRAPH_PASSTHROUGH=1?), lowered {} B",
                c.path,
                c.lowered_size()
            ),
        }
        let names: Vec<&str> = match &c.native {
            Some(n) => n.layout.variants.iter().map(|v| v.name.as_str()).collect(),
            None => c.state.variants.iter().map(|v| v.name.as_str()).collect(),
        };
        for i in dot::display_order(names.iter().copied()) {
            let name = names[i];
            say!("  {name}");
            say!(
                "    native:  {}",
                fields_text(
                    c.native.as_ref().and_then(|n| n.layout.variant(name)),
                    &|s, f| c.native_name(s, f)
                )
            );
            say!(
                "    lowered: {}",
                fields_text(c.state.variant(name), &|s, f| c.lowered_name(s, f))
            );
            for d in c.differences.iter().filter(|d| d.state == name) {
                say!("    ! {}", d.cause);
            }
        }
        for d in c.differences.iter().filter(|d| d.state.is_empty()) {
            say!("  ! {}", d.cause);
        }
    }
    print_summary(comparisons);
    say!("wrote {}", out.join("compare.json").display());
    if !svg {
        say!("wrote .dot only: install Graphviz (e.g. `apt-get install graphviz`) for .svg");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn options() {
        let o = parse_args(&args(
            "--bin x -p pkg --fn f --release --format=json --native-only",
        ))
        .unwrap()
        .unwrap();
        assert_eq!(o.target, Target::Bin("x".into()));
        assert_eq!(o.package.as_deref(), Some("pkg"));
        assert_eq!(o.format, Format::Json);
        assert!(o.release && o.native_only);
        assert!(parse_args(&args("--lib --bin x")).is_err());
        assert!(parse_args(&args("--bin")).is_err());
        assert!(parse_args(&args("--format xml")).is_err());
        assert!(parse_args(&args("--frobnicate")).is_err());
        assert!(parse_args(&args("--help")).unwrap().is_none());
    }

    #[test]
    fn lowered_names() {
        assert_eq!(
            lowered_fn_path("sequential::__State<{async fn body of leaf()}, u64, u32>"),
            Some(("sequential".into(), false))
        );
        assert_eq!(
            lowered_fn_path(
                "awaitgraph::__private::Machine<net::fetch::__State<u8, std::vec::Vec<u8>>, {closure@src/lib.rs:3:1: 9:2}>"
            ),
            Some(("net::fetch".into(), true))
        );
        // As rustc 1.95 prints a hand-lowered `m::sequential` using the runtime's Machine.
        assert_eq!(
            lowered_fn_path(
                "awaitgraph::private::Machine<m::sequential::__State<u64, u32, {async fn body of leaf()}>, {closure@src/lib.rs:18:16: 18:81}>"
            ),
            Some(("m::sequential".into(), true))
        );
        assert_eq!(lowered_fn_path("f::__State"), Some(("f".into(), false)));
        assert_eq!(
            lowered_fn_path("std::mem::ManuallyDrop<f::__State<u8>>"),
            None
        );
        assert_eq!(lowered_fn_path("{async fn body of f()}"), None);
        assert_eq!(lowered_fn_path("Machine<u8, u8>"), None);
    }

    /// rustc's layout of the fixture (captured), and a hand-made lowered counterpart in the shape
    /// rustc 1.95 prints for a hand-lowered fn: `path::__State<type args>` wrapped in
    /// `awaitgraph::private::Machine<.., {closure@..}>`, variants in layout order, no field types.
    const NATIVE: &str = include_str!("../../core/tests/data/captured/print-type-sizes.txt");
    const LOWERED: &str = "\
print-type-size type: `awaitgraph::private::Machine<sequential::__State<u64, u32, {async fn body of leaf()}>, {closure@src/lib.rs:33:1: 37:2}>`: 64 bytes, alignment: 8 bytes
print-type-size     field `.state`: 64 bytes
print-type-size     field `.step`: 0 bytes
print-type-size     field `._pinned`: 0 bytes
print-type-size type: `sequential::__State<u64, u32, {async fn body of leaf()}>`: 64 bytes, alignment: 8 bytes
print-type-size     discriminant: 1 bytes
print-type-size     variant `Suspend0`: 55 bytes
print-type-size         field `.b`: 4 bytes, alignment: 4 bytes
print-type-size         padding: 3 bytes
print-type-size         field `.__awaitee`: 40 bytes, alignment: 8 bytes
print-type-size     variant `Suspend1`: 55 bytes
print-type-size         padding: 7 bytes
print-type-size         field `.__awaitee`: 40 bytes, alignment: 8 bytes
print-type-size         field `.x`: 8 bytes
print-type-size     variant `Unresumed`: 23 bytes
print-type-size         padding: 7 bytes
print-type-size         field `.a`: 8 bytes, alignment: 8 bytes
print-type-size         field `.b`: 4 bytes
print-type-size     variant `Returned`: 0 bytes
print-type-size     variant `Panicked`: 0 bytes
print-type-size type: `borrowed_buffer::__State<{async block@src/lib.rs:48:13: 48:33}>`: 80 bytes, alignment: 8 bytes
print-type-size     discriminant: 1 bytes
print-type-size     variant `Suspend0`: 79 bytes
print-type-size         padding: 7 bytes
print-type-size         field `.__awaitee`: 72 bytes, alignment: 8 bytes
print-type-size     variant `Unresumed`: 0 bytes
print-type-size     variant `Returned`: 0 bytes
print-type-size     variant `Panicked`: 0 bytes
print-type-size type: `{async block@src/lib.rs:48:13: 48:33}`: 72 bytes, alignment: 8 bytes
print-type-size     discriminant: 1 bytes
print-type-size     variant `Unresumed`: 72 bytes
print-type-size         upvar `.buf`: 64 bytes, offset: 0 bytes, alignment: 1 bytes
";

    #[test]
    fn compares_hand_made_lowering_with_captured_native() {
        let native = rustc_layout::parse_type_sizes(NATIVE).unwrap();
        let lowered = rustc_layout::parse_type_sizes(LOWERED).unwrap();
        let futures = futures_of(&native, &[], None);
        let cs = compare_all(&futures, &native, &lowered, &[], None, None).unwrap();
        assert_eq!(cs.len(), 2);
        let seq = cs.iter().find(|c| c.path == "sequential").unwrap();
        assert_eq!(seq.native.as_ref().unwrap().layout.size, 72);
        assert_eq!(seq.lowered_size(), 64);
        let kinds: Vec<_> = seq
            .differences
            .iter()
            .map(|d| (d.state.as_str(), d.kind, d.local.as_deref()))
            .collect();
        assert!(
            kinds.contains(&("Suspend0", "stored-twice", Some("b"))),
            "{kinds:?}"
        );
        assert!(
            kinds.contains(&("Suspend0", "argument-prefix", Some("a"))),
            "{kinds:?}"
        );
        assert!(
            kinds.contains(&("Suspend1", "argument-prefix", Some("b"))),
            "{kinds:?}"
        );
        assert!(!kinds.iter().any(|k| k.1 == "only-lowered"), "{kinds:?}");
        let buf = cs.iter().find(|c| c.path == "borrowed_buffer").unwrap();
        assert!(buf.machine.is_none());
        let d: Vec<_> = buf
            .differences
            .iter()
            .map(|d| (d.kind, d.local.as_deref()))
            .collect();
        assert!(d.contains(&("only-native", Some("buf"))), "{d:?}");
        assert!(d.contains(&("awaitee-wrapped", Some("__awaitee"))), "{d:?}");
        assert!(
            buf.differences
                .iter()
                .any(|d| d.cause.contains("may borrow it"))
        );
        // Diagrams: both sides, every state, highlighted rows.
        let dot = compare_dot(seq);
        assert!(dot.contains("cluster_n") && dot.contains("cluster_l"));
        assert!(dot.contains("#ffd6cc"));
        assert!(
            dot.contains("n0 -> n1;") && dot.contains("l0 -> l1;"),
            "{dot}"
        );
        assert!(dot.contains("l3 -> l4 [style=invis];"), "{dot}");
        let j = comparison_json(seq);
        assert_eq!(j["native_size"], 72);
        assert_eq!(j["lowered_size"], 64);
    }

    /// Captured from `compare --test equivalence` (rustc 1.95): two harness cases whose saved
    /// locals only pair up by line and type size.
    fn pairing(case: &str) -> Vec<Difference> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/pairing");
        let read = |f: &str| std::fs::read_to_string(format!("{dir}/{f}")).unwrap();
        let native = rustc_layout::parse_type_sizes(&read("native.txt")).unwrap();
        let lowered = rustc_layout::parse_type_sizes(&read("lowered.txt")).unwrap();
        let mir = rustc_layout::parse_coroutine_mir(&read(&format!("{case}.mir"))).unwrap();
        let lowering = Lowering::from_json(
            &serde_json::from_str(&read(&format!("{case}.states.json"))).unwrap(),
        )
        .unwrap();
        let mirs = [mir];
        let futures = futures_of(&native, &mirs, None);
        let lowerings = [lowering];
        let cs = compare_all(
            &futures,
            &native,
            &lowered,
            &lowerings,
            None,
            Some(&format!("{case}::lowered")),
        )
        .unwrap();
        assert_eq!(cs.len(), 1);
        assert!(cs[0].lowering.is_some() && cs[0].native.as_ref().unwrap().mir.is_some());
        cs[0].differences.clone()
    }

    #[test]
    fn shadowed_locals_pair_by_line_and_size() {
        let d = pairing("shadowed_but_alive");
        let brief: Vec<_> = d
            .iter()
            .map(|d| (d.state.as_str(), d.kind, d.local.as_deref()))
            .collect();
        // Both `x`s (the `Noisy` parameter and `let x = x.len()`) are paired with theirs: no
        // size difference, no `x` only one side saves in Suspend0.
        assert!(!brief.iter().any(|b| b.1 == "size"), "{brief:?}");
        assert!(
            !brief
                .iter()
                .any(|b| b.0 == "Suspend0" && b.2 == Some("x") && b.1.starts_with("only")),
            "{brief:?}"
        );
        // `s` is inside the wrapped awaitee; the shadowed `s`, `y` and the `__e1` temporary
        // (rustc's `y.len()`) pair in Suspend1; the dead `x: usize` is awaitgraph's only.
        assert!(
            brief.contains(&("Suspend0", "only-native", Some("s"))),
            "{brief:?}"
        );
        assert!(
            brief.contains(&("Suspend0", "awaitee-wrapped", Some("__awaitee"))),
            "{brief:?}"
        );
        assert!(
            brief.contains(&("Suspend1", "only-lowered", Some("x"))),
            "{brief:?}"
        );
        assert!(
            brief.contains(&("Suspend1", "stored-twice", Some("x"))),
            "{brief:?}"
        );
        assert_eq!(
            brief.iter().filter(|b| b.1.starts_with("only")).count(),
            2,
            "{brief:?}"
        );
    }

    #[test]
    fn temporaries_of_one_line_pair_by_size() {
        let d = pairing("temporary_in_let");
        assert!(
            !d.iter()
                .any(|d| matches!(d.kind, "size" | "only-native" | "only-lowered")),
            "{d:?}"
        );
    }

    #[test]
    fn no_lowered_fn_is_an_error() {
        let native = rustc_layout::parse_type_sizes(NATIVE).unwrap();
        let futures = futures_of(&native, &[], None);
        let e = compare_all(&futures, &native, &native, &[], None, None).unwrap_err();
        assert!(e.contains("--native-only"));
    }

    #[test]
    fn only_lowered_local_is_explained() {
        let native = rustc_layout::parse_type_sizes(NATIVE).unwrap();
        let n = native
            .iter()
            .find(|t| t.name == "{async fn body of leaf()}")
            .unwrap();
        let lowered = rustc_layout::parse_type_sizes(
            "print-type-size type: `leaf::__State<u8>`: 48 bytes, alignment: 8 bytes\n\
             print-type-size     discriminant: 1 bytes\n\
             print-type-size     variant `Suspend0`: 40 bytes\n\
             print-type-size         field `.__awaitee`: 24 bytes\n\
             print-type-size         field `.tmp`: 8 bytes\n",
        )
        .unwrap();
        let d = differences_with(n, &lowered[0], None, &[], &Context::default());
        assert!(
            d.iter()
                .any(|d| d.kind == "only-lowered" && d.cause.contains("drop glue")),
            "{d:?}"
        );
    }
}
