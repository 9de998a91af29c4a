//! The Mermaid diagram: `stateDiagram-v2` text (GitHub and many Markdown viewers render it).
//!
//! Input: a `StateGraph` with `Unresumed`, `Suspend0`, `Returned`, `Panicked`.
//! Output:
//! ```text
//! stateDiagram-v2
//!     direction TB
//!     state "Suspend0 · get(id).await" as Suspend0
//!     [*] --> Unresumed
//!     Unresumed --> Suspend0 : first poll
//!     Suspend0 --> Suspend0 : Pending
//!     note right of Suspend0
//!         line 3
//!         a: u32 (local)
//!     end note
//! ```

use std::fmt::Write as _;

use super::{Card, cards};
use crate::model::{StateGraph, StateKind, TransitionKind};

/// The diagram as Mermaid `stateDiagram-v2` text, deterministic.
pub fn to_mermaid(graph: &StateGraph) -> String {
    let cards = cards(graph);
    let mut s = String::from("stateDiagram-v2\n    direction TB\n");
    let _ = writeln!(s, "    %% {}", one_line(&graph.signature));
    for card in &cards {
        let title = match &card.awaiting {
            Some(expr) => format!("{} · {}.await", card.name, expr),
            None => card.name.clone(),
        };
        let _ = writeln!(s, "    state \"{}\" as {}", text(&title), id(&card.name));
    }
    if let Some(first) = cards.iter().find(|c| c.kind == StateKind::Unresumed) {
        let _ = writeln!(s, "    [*] --> {}", id(&first.name));
    }
    for edge in graph.graph.raw_edges() {
        let (Some(a), Some(b)) = (
            graph.graph.node_weight(edge.source()),
            graph.graph.node_weight(edge.target()),
        ) else {
            continue;
        };
        let label = match edge.weight.kind {
            TransitionKind::Unwind => format!("{} (unwind)", edge.weight.label),
            _ => edge.weight.label.clone(),
        };
        let label = text(&label);
        if label.trim().is_empty() {
            let _ = writeln!(s, "    {} --> {}", id(&a.name), id(&b.name));
        } else {
            let _ = writeln!(s, "    {} --> {} : {}", id(&a.name), id(&b.name), label);
        }
    }
    if let Some(done) = cards.iter().find(|c| c.kind == StateKind::Returned) {
        let _ = writeln!(s, "    {} --> [*]", id(&done.name));
    }
    for card in &cards {
        let lines = note_lines(card);
        if lines.is_empty() {
            continue;
        }
        let _ = writeln!(s, "    note right of {}", id(&card.name));
        for line in lines {
            let _ = writeln!(s, "        {}", text(&line));
        }
        s.push_str("    end note\n");
    }
    for card in &cards {
        let class = match card.kind {
            StateKind::Unresumed => "unresumed",
            StateKind::Suspend(_) => "suspend",
            StateKind::Returned => "returned",
            StateKind::Panicked => "panicked",
        };
        let _ = writeln!(s, "    class {} {class}", id(&card.name));
    }
    for (class, fill) in [
        ("unresumed", StateKind::Unresumed),
        ("suspend", StateKind::Suspend(0)),
        ("returned", StateKind::Returned),
        ("panicked", StateKind::Panicked),
    ] {
        let _ = writeln!(
            s,
            "    classDef {class} fill:{},stroke:#546e7a",
            super::state_color(fill)
        );
    }
    s
}

fn note_lines(card: &Card) -> Vec<String> {
    let mut lines = Vec::new();
    if card.line > 0 {
        lines.push(format!("line {}", card.line));
    }
    for row in &card.rows {
        let mut l = row.name.clone();
        if let Some(ty) = &row.ty {
            l.push_str(": ");
            l.push_str(ty);
        }
        l.push_str(&format!(" ({})", row.held_as));
        if let Some(n) = row.shared_by {
            l.push_str(&format!(" ×{n}"));
        }
        if row.suspicious {
            l.insert_str(0, "⚠ ");
        }
        lines.push(l);
    }
    lines.extend(card.warnings.iter().map(|w| format!("⚠ {w}")));
    lines
}

/// A state id Mermaid accepts: ASCII letters, digits and `_`.
fn id(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic()) {
        out.insert(0, 's');
    }
    out
}

fn one_line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

/// Text Mermaid shows as written: entity codes for characters its parser reads.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in one_line(s).chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            ';' => out.push_str("#59;"),
            '#' => out.push_str("#35;"),
            c => out.push(c),
        }
    }
    out
}
