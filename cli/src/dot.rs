//! Plain DOT text for rustc's futures and for comparisons, and SVG through Graphviz's `dot` when
//! it is installed.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use awaitgraph_core::rustc_layout::{FieldKind, TypeLayout, VariantLayout};

/// Escapes text for an HTML-like DOT label.
pub fn html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A DOT string literal.
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// One row of a state's table.
pub struct Row {
    /// `upvar`, `local`, `field`.
    pub kind: String,
    /// The local's name.
    pub name: String,
    /// Size in bytes.
    pub size: u64,
    /// Type, when known.
    pub ty: Option<String>,
    /// Highlighted (a difference) when set, with the reason as tooltip.
    pub note: Option<String>,
}

impl Row {
    /// The rows of a variant as rustc printed it.
    /// An argument held both as upvar and as local (rust-lang/rust#62958) is highlighted.
    pub fn of_variant(v: &VariantLayout) -> Vec<Row> {
        let twice = |name: &str| {
            v.fields
                .iter()
                .any(|f| f.kind == FieldKind::Upvar && f.name == name)
                && v.fields
                    .iter()
                    .any(|f| f.kind == FieldKind::Local && f.name == name)
        };
        v.fields
            .iter()
            .map(|f| Row {
                kind: f.kind.as_str().to_string(),
                name: f.name.clone(),
                size: f.size,
                ty: f.ty.clone(),
                note: twice(&f.name).then(|| "stored twice (rust-lang/rust#62958)".to_string()),
            })
            .collect()
    }
}

/// The HTML label of one state.
pub fn state_label(title: &str, size: u64, rows: &[Row]) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        "<<table border=\"0\" cellborder=\"1\" cellspacing=\"0\" cellpadding=\"3\">\
         <tr><td colspan=\"3\" bgcolor=\"#dde6f0\"><b>{}</b> · {} B</td></tr>",
        html(title),
        size
    );
    if rows.is_empty() {
        s.push_str("<tr><td colspan=\"3\"><i>nothing saved</i></td></tr>");
    }
    for r in rows {
        let bg = if r.note.is_some() {
            " bgcolor=\"#ffd6cc\""
        } else {
            ""
        };
        let ty =
            r.ty.as_deref()
                .map(|t| format!(": {}", html(&shorten(t, 48))))
                .unwrap_or_default();
        let note = r
            .note
            .as_deref()
            .map(|n| {
                format!(
                    "<br align=\"left\"/><font point-size=\"9\">{}</font>",
                    html(n)
                )
            })
            .unwrap_or_default();
        let _ = write!(
            s,
            "<tr><td{bg}>{}</td><td{bg} align=\"left\" balign=\"left\">{}{ty}{note}</td><td{bg} align=\"right\">{} B</td></tr>",
            html(&r.kind),
            html(&r.name),
            r.size
        );
    }
    s.push_str("</table>>");
    s
}

/// Cuts long type names in the middle.
fn shorten(text: &str, max: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= max {
        return text.to_string();
    }
    let half = max / 2;
    let head: String = chars[..half].iter().collect();
    let tail: String = chars[chars.len() - half..].iter().collect();
    format!("{head}…{tail}")
}

/// rustc's layout of one future: a node per state in rustc's order, chained by the resume path.
pub fn native_future(title: &str, t: &TypeLayout) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "digraph {} {{", quoted(title));
    let _ = writeln!(
        s,
        "  label={}; labelloc=t; rankdir=LR; node [shape=plain fontname=\"Helvetica\" fontsize=10];",
        quoted(&format!(
            "{title} — rustc: {} bytes, alignment {}",
            t.size, t.align
        ))
    );
    for (i, v) in t.variants.iter().enumerate() {
        let _ = writeln!(
            s,
            "  s{i} [label={}];",
            state_label(&v.name, v.size, &Row::of_variant(v))
        );
    }
    let order = resume_order(t.variants.iter().map(|v| v.name.as_str()));
    for w in order.windows(2) {
        let _ = writeln!(s, "  s{} -> s{};", w[0], w[1]);
    }
    s.push_str("}\n");
    s
}

/// Indices of the states in the order a run goes through them:
/// Unresumed, Suspend0.., Returned (Panicked is left unconnected).
pub fn resume_order<'a>(names: impl Iterator<Item = &'a str>) -> Vec<usize> {
    let names: Vec<&str> = names.collect();
    let mut order = Vec::new();
    order.extend(names.iter().position(|n| *n == "Unresumed"));
    let mut suspends: Vec<(usize, usize)> = names
        .iter()
        .enumerate()
        .filter_map(|(i, n)| Some((n.strip_prefix("Suspend")?.parse().ok()?, i)))
        .collect();
    suspends.sort();
    order.extend(suspends.into_iter().map(|(_, i)| i));
    order.extend(names.iter().position(|n| *n == "Returned"));
    order
}

/// Every state: the resume order, then the others (`Panicked`) in printed order.
pub fn display_order<'a>(names: impl Iterator<Item = &'a str>) -> Vec<usize> {
    let names: Vec<&str> = names.collect();
    let mut order = resume_order(names.iter().copied());
    for i in 0..names.len() {
        if !order.contains(&i) {
            order.push(i);
        }
    }
    order
}

/// The kind word of a field, for rows.
pub fn kind_word(kind: &FieldKind) -> &str {
    kind.as_str()
}

/// Writes `dot` to `path` (`.dot`) and, when Graphviz is installed, the `.svg` beside it.
/// Returns whether the SVG was written.
pub fn write(path: &Path, dot: &str) -> Result<bool, String> {
    std::fs::write(path, dot).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let svg = path.with_extension("svg");
    match Command::new("dot")
        .arg("-Tsvg")
        .arg("-o")
        .arg(&svg)
        .arg(path)
        .output()
    {
        Ok(out) if out.status.success() => Ok(true),
        Ok(out) => Err(format!(
            "dot failed on {}: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .next()
                .unwrap_or("")
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(format!("cannot run dot: {e}")),
    }
}
