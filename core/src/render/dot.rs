//! The DOT diagram: a `dot_structures::Graph` (graphviz-rust's DOT model) and its text.
//!
//! The text comes from [`print()`], a small printer that writes exactly what graphviz-rust's
//! `DotPrinter` writes with a default `PrinterContext` (tested under the `graphviz` feature), so
//! the proc-macro path does not pay graphviz-rust's build cost (pest, syn 1, tempfile).
//!
//! Input: a `StateGraph` with `Unresumed`, `Returned`, `Panicked`, `Suspend0`.
//! Output:
//! ```text
//! digraph "fetch" {
//!   graph[label=<...> labelloc=t fontname="Helvetica" ...]
//!   Unresumed[label=<<table ...>...</table>>]
//!   ...
//!   Unresumed -> Suspend0 [label="first poll" color="#37474f" fontcolor="#37474f"]
//!   Suspend0 -> Suspend0 [label="Pending" color="#1565c0" fontcolor="#1565c0"]
//!   Suspend0 -> Panicked [label="unwind" color="#c62828" fontcolor="#c62828" style=dashed constraint=false]
//!   subgraph legend {
//!     ...
//!   }
//! }
//! ```

/// The DOT model crate, re-exported so callers can name [`to_graph`]'s types.
pub use dot_structures;

use dot_structures::{
    Attribute, Edge, EdgeTy, Graph, GraphAttributes, Id, Node, NodeId, Port, Stmt, Subgraph, Vertex,
};

use super::{Card, SHARED_COLOR, WARN_COLOR, cards, edge_style, empty_rows_text, state_color};
use crate::model::{StateGraph, StateKind, TransitionKind};

/// Font of the diagram's text.
const FONT: &str = "Helvetica";
/// Font of code (expressions, names, types).
const MONO: &str = "DejaVu Sans Mono";

/// The diagram as graphviz-rust's DOT model: one node per state with an HTML-table label, one
/// edge per transition, `Returned` and `Panicked` side by side on the last rank, and a legend on the first.
pub fn to_graph(graph: &StateGraph) -> Graph {
    let mut stmts = vec![
        Stmt::GAttribute(GraphAttributes::Graph(vec![
            attr("label", html(&title_html(graph))),
            attr("labelloc", plain("t")),
            attr("fontname", quoted(FONT)),
            attr("rankdir", plain("TB")),
            attr("nodesep", plain("0.5")),
            attr("ranksep", plain("0.45")),
            attr("bgcolor", plain("white")),
            // Merges the unwind edges into one bus towards `Panicked`.
            attr("concentrate", plain("true")),
        ])),
        Stmt::GAttribute(GraphAttributes::Node(vec![
            attr("shape", plain("plain")),
            attr("fontname", quoted(FONT)),
            attr("fontsize", plain("11")),
        ])),
        Stmt::GAttribute(GraphAttributes::Edge(vec![
            attr("fontname", quoted(FONT)),
            attr("fontsize", plain("10")),
            attr("arrowsize", plain("0.7")),
        ])),
    ];
    let cards = cards(graph);
    for card in &cards {
        stmts.push(Stmt::Node(Node::new(
            node_id(&card.name),
            vec![attr("label", html(&card_html(card)))],
        )));
    }
    for edge in graph.graph.raw_edges() {
        let (Some(from), Some(to)) = (
            graph.graph.node_weight(edge.source()),
            graph.graph.node_weight(edge.target()),
        ) else {
            continue;
        };
        let t = &edge.weight;
        let style = edge_style(t.kind);
        let mut attrs = vec![
            attr("label", quoted(&format!(" {} ", t.label))),
            attr("color", quoted(style.color)),
            attr("fontcolor", quoted(style.color)),
        ];
        if style.bold {
            attrs.push(attr("penwidth", plain("1.6")));
        }
        if style.dashed {
            attrs.push(attr("style", plain("dashed")));
        }
        if style.dotted {
            attrs.push(attr("style", plain("dotted")));
        }
        // Unwinding and polling a finished future are side exits: they must not pull the
        // states of the body apart.
        // Unwinding is a side exit: it must not pull the states of the body apart. (Polling
        // `Returned` again keeps its constraint: it puts `Panicked` right of `Returned`.)
        if t.kind == TransitionKind::Unwind {
            attrs.push(attr("weight", plain("0")));
        }
        if t.kind == TransitionKind::Pending && edge.source() == edge.target() {
            attrs.push(attr("dir", plain("forward")));
        }
        stmts.push(Stmt::Edge(Edge {
            ty: EdgeTy::Pair(Vertex::N(node_id(&from.name)), Vertex::N(node_id(&to.name))),
            attributes: attrs,
        }));
    }
    let ends: Vec<&Card> = cards
        .iter()
        .filter(|c| matches!(c.kind, StateKind::Returned | StateKind::Panicked))
        .collect();
    if ends.len() > 1 {
        let mut side = vec![Stmt::GAttribute(GraphAttributes::Graph(vec![attr(
            "rank",
            plain("sink"),
        )]))];
        side.extend(
            ends.iter()
                .map(|c| Stmt::Node(Node::new(node_id(&c.name), vec![]))),
        );
        stmts.push(Stmt::Subgraph(Subgraph {
            id: plain("ends"),
            stmts: side,
        }));
    }
    stmts.push(Stmt::Subgraph(legend()));
    Graph::DiGraph {
        id: quoted(&graph.fn_name),
        strict: false,
        stmts,
    }
}

/// The DOT text of the diagram: [`print()`] of [`to_graph`]. Deterministic byte for byte.
pub fn to_dot_string(graph: &StateGraph) -> String {
    print(&to_graph(graph))
}

/// Parses DOT text with graphviz-rust's parser (feature `graphviz`).
#[cfg(feature = "graphviz")]
pub fn parse(dot: &str) -> Result<Graph, String> {
    graphviz_rust::parse(dot)
}

/// Prints `graph` with graphviz-rust's `DotPrinter` and a default `PrinterContext` (feature
/// `graphviz`); [`print()`] writes the same text.
#[cfg(feature = "graphviz")]
pub fn print_with_graphviz_rust(graph: &Graph) -> String {
    use graphviz_rust::printer::{DotPrinter, PrinterContext};
    graph.print(&mut PrinterContext::default())
}

fn title_html(graph: &StateGraph) -> String {
    let mut s = format!(
        "<font point-size=\"15\"><b>{}</b></font>",
        esc(&graph.fn_name)
    );
    if !graph.signature.is_empty() {
        s.push_str(&format!(
            "<br/><font face=\"{MONO}\" point-size=\"10\" color=\"#455a64\">{}</font>",
            esc(&super::shorten(&graph.signature, 110))
        ));
    }
    let states = graph.graph.node_count();
    let suspends = graph.suspend_count();
    let line = if graph.line > 0 {
        format!("line {} · ", graph.line)
    } else {
        String::new()
    };
    s.push_str(&format!(
        "<br/><font point-size=\"10\" color=\"#78909c\">{line}{states} states, {suspends} await points</font>"
    ));
    s
}

fn card_html(card: &Card) -> String {
    let mut s = String::from(
        "<table border=\"1\" cellborder=\"0\" cellspacing=\"0\" cellpadding=\"3\" color=\"#546e7a\" bgcolor=\"white\">",
    );
    s.push_str(&format!(
        "<tr><td colspan=\"3\" bgcolor=\"{}\"><b>{}</b></td></tr>",
        state_color(card.kind),
        esc(&card.name)
    ));
    if let Some(expr) = &card.awaiting {
        s.push_str(&format!(
            "<tr><td colspan=\"3\" align=\"left\"><font face=\"{MONO}\">{}</font><font color=\"#1565c0\">.await</font>",
            esc(expr)
        ));
        if card.line > 0 {
            s.push_str(&format!(
                "<font color=\"#78909c\">&#160;·&#160;line {}</font>",
                card.line
            ));
        }
        s.push_str("</td></tr>");
    }
    if let Some(note) = &card.note {
        s.push_str(&format!(
            "<tr><td colspan=\"3\"><font color=\"#607d8b\"><i>{}</i></font></td></tr>",
            esc(note)
        ));
    }
    if let Some(text) = empty_rows_text(card) {
        s.push_str(&format!(
            "<tr><td colspan=\"3\"><font color=\"#90a4ae\"><i>{text}</i></font></td></tr>"
        ));
    }
    if !card.rows.is_empty() {
        s.push_str("<tr>");
        for head in ["saved", "type", "held as"] {
            s.push_str(&format!(
                "<td align=\"left\"><font point-size=\"9\" color=\"#78909c\">{head}</font></td>"
            ));
        }
        s.push_str("</tr>");
    }
    for row in &card.rows {
        let bg = if row.suspicious {
            format!(" bgcolor=\"{WARN_COLOR}\"")
        } else {
            String::new()
        };
        let mut name = esc(&row.name);
        if row.hidden {
            name = format!("<font color=\"#78909c\"><i>{name}</i></font>");
        } else if row.shared_by.is_some() {
            name = format!("<b>{name}</b>");
        }
        let mut name_cell = format!("<font face=\"{MONO}\">{name}</font>");
        if let Some(n) = row.shared_by {
            name_cell.push_str(&format!(" <font color=\"{SHARED_COLOR}\">×{n}</font>"));
        }
        let ty = row.ty.as_deref().map_or_else(
            || "<font color=\"#b0bec5\">—</font>".to_string(),
            |t| format!("<font face=\"{MONO}\">{}</font>", esc(t)),
        );
        let held = if row.suspicious {
            format!("⚠ {}", esc(&row.held_as))
        } else {
            esc(&row.held_as)
        };
        s.push_str(&format!(
            "<tr><td align=\"left\"{bg}>{name_cell}</td><td align=\"left\"{bg}>{ty}</td><td align=\"left\"{bg}>{held}</td></tr>"
        ));
    }
    for warning in &card.warnings {
        s.push_str(&format!(
            "<tr><td colspan=\"3\" align=\"left\" bgcolor=\"{WARN_COLOR}\"><font color=\"#bf360c\">⚠ {}</font></td></tr>",
            esc(warning)
        ));
    }
    s.push_str("</table>");
    s
}

fn legend() -> Subgraph {
    let mut t = String::from(
        "<table border=\"1\" cellborder=\"0\" cellspacing=\"2\" cellpadding=\"2\" color=\"#cfd8dc\" style=\"rounded\">",
    );
    t.push_str(
        "<tr><td colspan=\"2\" align=\"left\"><font color=\"#78909c\">legend</font></td></tr>",
    );
    let kinds = [
        (StateKind::Unresumed, "Unresumed: holds the arguments"),
        (StateKind::Suspend(0), "SuspendN: waiting at an .await"),
        (StateKind::Returned, "Returned: done"),
        (StateKind::Panicked, "Panicked: poisoned"),
    ];
    for (kind, text) in kinds {
        t.push_str(&format!(
            "<tr><td bgcolor=\"{}\" width=\"14\"> </td><td align=\"left\">{}</td></tr>",
            state_color(kind),
            text
        ));
    }
    let lines = [
        (TransitionKind::Ready, "——", "Ready: runs to the next state"),
        (TransitionKind::Pending, "↺", "Pending: stays suspended"),
        (
            TransitionKind::EarlyReturn,
            "——",
            "early return (?, return)",
        ),
        (TransitionKind::Unwind, "- - -", "a panic unwinds"),
        (
            TransitionKind::PollAfterCompletion,
            "· · ·",
            "polled again: panics",
        ),
    ];
    for (kind, mark, text) in lines {
        t.push_str(&format!(
            "<tr><td><font color=\"{}\"><b>{mark}</b></font></td><td align=\"left\">{text}</td></tr>",
            edge_style(kind).color
        ));
    }
    t.push_str(&format!(
        "<tr><td><font color=\"{SHARED_COLOR}\">×N</font></td><td align=\"left\">saved in N await states</td></tr>"
    ));
    t.push_str(&format!(
        "<tr><td bgcolor=\"{WARN_COLOR}\">⚠</td><td align=\"left\">guard, RefCell borrow or Rc held across .await</td></tr>"
    ));
    t.push_str("<tr><td><font color=\"#78909c\"><i>tmp</i></font></td><td align=\"left\">hidden temporary of the lowering</td></tr>");
    t.push_str("</table>");
    Subgraph {
        id: plain("legend"),
        stmts: vec![
            // On the first rank, beside `Unresumed`: out of the way of every edge.
            Stmt::GAttribute(GraphAttributes::Graph(vec![attr("rank", plain("min"))])),
            Stmt::Node(Node::new(
                node_id("legend"),
                vec![attr("label", html(&t)), attr("fontsize", plain("9"))],
            )),
        ],
    }
}

fn attr(key: &str, value: Id) -> Attribute {
    Attribute(Id::Plain(key.to_string()), value)
}

fn plain(s: &str) -> Id {
    Id::Plain(s.to_string())
}

/// A quoted DOT string: `"` and `\` escaped.
fn quoted(s: &str) -> Id {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    Id::Escaped(out)
}

fn html(s: &str) -> Id {
    Id::Html(format!("<{s}>"))
}

/// A node id: plain when DOT allows it (`Suspend0`), quoted otherwise.
fn node_id(name: &str) -> NodeId {
    let is_plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let id = if is_plain && !is_keyword(name) {
        plain(name)
    } else {
        quoted(name)
    };
    NodeId(id, None)
}

fn is_keyword(s: &str) -> bool {
    ["node", "edge", "graph", "digraph", "subgraph", "strict"]
        .iter()
        .any(|k| k.eq_ignore_ascii_case(s))
}

/// Escape text for a Graphviz HTML label.
/// Escapes text for an HTML label. Empty text becomes a no-break space: Graphviz rejects an
/// empty `<font></font>`.
fn esc(s: &str) -> String {
    if s.is_empty() {
        return "&#160;".to_string();
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Printer: the text graphviz-rust's `DotPrinter` writes with `PrinterContext::default()`
// (two-space indent, one statement per line, attributes on one line, no semicolons).

/// Prints a DOT model as text, identical to graphviz-rust's `DotPrinter` with a default
/// `PrinterContext`.
pub fn print(graph: &Graph) -> String {
    let (kind, strict, id, stmts) = match graph {
        Graph::Graph { id, strict, stmts } => ("graph", *strict, id, stmts),
        Graph::DiGraph { id, strict, stmts } => ("digraph", *strict, id, stmts),
    };
    let digraph = matches!(graph, Graph::DiGraph { .. });
    let body = print_stmts(stmts, 2, digraph);
    let strict = if strict { "strict " } else { "" };
    format!("{strict}{kind} {} {{\n{body}\n}}", print_id(id))
}

fn print_id(id: &Id) -> &str {
    match id {
        Id::Html(v) | Id::Escaped(v) | Id::Plain(v) => v,
        Id::Anonymous(_) => "",
    }
}

fn print_node_id(id: &NodeId) -> String {
    let mut s = print_id(&id.0).to_string();
    match &id.1 {
        Some(Port(Some(p), Some(c))) => s.push_str(&format!(":{}:{c}", print_id(p))),
        Some(Port(None, Some(c))) => s.push_str(&format!(":{c}")),
        Some(Port(Some(p), None)) => s.push_str(&format!(":{}", print_id(p))),
        Some(Port(None, None)) | None => {}
    }
    s
}

fn print_attrs(attrs: &[Attribute]) -> String {
    if attrs.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = attrs
        .iter()
        .map(|Attribute(k, v)| format!("{}={}", print_id(k), print_id(v)))
        .collect();
    format!("[{}]", parts.join(" "))
}

fn print_stmts(stmts: &[Stmt], indent: usize, digraph: bool) -> String {
    let pad = " ".repeat(indent);
    let lines: Vec<String> = stmts
        .iter()
        .map(|stmt| {
            let text = match stmt {
                Stmt::Node(n) => format!("{}{}", print_node_id(&n.id), print_attrs(&n.attributes)),
                Stmt::Subgraph(s) => print_subgraph(s, indent, digraph),
                Stmt::Attribute(Attribute(k, v)) => format!("{}={}", print_id(k), print_id(v)),
                Stmt::GAttribute(GraphAttributes::Graph(a)) => format!("graph{}", print_attrs(a)),
                Stmt::GAttribute(GraphAttributes::Node(a)) => format!("node{}", print_attrs(a)),
                Stmt::GAttribute(GraphAttributes::Edge(a)) => format!("edge{}", print_attrs(a)),
                Stmt::Edge(e) => print_edge(e, indent, digraph),
            };
            format!("{pad}{text}")
        })
        .collect();
    lines.join("\n")
}

fn print_subgraph(s: &Subgraph, indent: usize, digraph: bool) -> String {
    let pad = " ".repeat(indent);
    format!(
        "subgraph {} {{\n{}\n{pad}}}",
        print_id(&s.id),
        print_stmts(&s.stmts, indent + 2, digraph)
    )
}

fn print_vertex(v: &Vertex, indent: usize, digraph: bool) -> String {
    match v {
        Vertex::N(id) => print_node_id(id),
        Vertex::S(s) => print_subgraph(s, indent, digraph),
    }
}

fn print_edge(edge: &Edge, indent: usize, digraph: bool) -> String {
    let bond = if digraph { "->" } else { "--" };
    match &edge.ty {
        EdgeTy::Pair(l, r) => {
            let base = format!(
                "{} {bond} {}",
                print_vertex(l, indent, digraph),
                print_vertex(r, indent, digraph)
            );
            if edge.attributes.is_empty() {
                base
            } else {
                format!("{base} {}", print_attrs(&edge.attributes))
            }
        }
        EdgeTy::Chain(vs) => {
            let parts: Vec<String> = vs
                .iter()
                .map(|v| print_vertex(v, indent, digraph))
                .collect();
            format!(
                "{}{}",
                parts.join(&format!(" {bond} ")),
                print_attrs(&edge.attributes)
            )
        }
    }
}
