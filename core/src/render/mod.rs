//! Diagrams of a [`StateGraph`]: DOT ([`dot`]), SVG through Graphviz or a pure-Rust fallback
//! ([`svg`]), Mermaid ([`mermaid`]), the rustdoc state table ([`doc`]), and the files the macro
//! writes ([`write_outputs`]).
//!
//! Every renderer shows the same content, computed once here by [`cards`]: one [`Card`] per
//! state (its name, what it awaits, the values it holds and the cues a reader should notice),
//! and one [`EdgeStyle`] per transition kind.
//!
//! Input: a `StateGraph` for
//! ```text
//! async fn fetch(id: u32) -> u32 { let a = get(id).await; a + 1 }
//! ```
//! Output (DOT, abridged): `Unresumed -> Suspend0[label="first poll" ...]`,
//! `Suspend0 -> Suspend0[label="Pending" ...]`, `Suspend0 -> Panicked[style=dashed ...]`, ...

pub mod doc;
pub mod dot;
pub mod mermaid;
mod output;
pub mod svg;

pub use output::{Formats, OutputOptions, SvgRenderer, base_dir_from_env, write_outputs};
pub use svg::RenderError;

use crate::model::{SavedLocal, SavedOrigin, StateGraph, StateKind, TransitionKind};

/// Longest awaited expression or type shown in full; longer text is cut with `…`.
pub const MAX_TEXT: usize = 72;

/// What one state's box shows, the same in every renderer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Card {
    /// The state's name (`Suspend0`), also its node id.
    pub name: String,
    /// The kind of state.
    pub kind: StateKind,
    /// For suspension states: the awaited expression (shortened to [`MAX_TEXT`]).
    pub awaiting: Option<String>,
    /// Source line of the `.await`, 0 when unknown.
    pub line: usize,
    /// One line under the title for states without an awaitee (`holds the arguments`, ...).
    pub note: Option<String>,
    /// The values the state holds, in the model's field order; for suspension states the
    /// locals moved into the awaitee come first.
    pub rows: Vec<Row>,
    /// Warnings about values held across this await, one per suspicious row.
    pub warnings: Vec<String>,
}

/// One value held by a state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// Its name in the source (or the hidden temporary's name).
    pub name: String,
    /// The declared type, shortened, if the source writes one.
    pub ty: Option<String>,
    /// How it is held: `argument`, `local`, `hidden temporary`, `moved into awaitee`.
    pub held_as: String,
    /// A hidden temporary the lowering introduced (drawn in italics).
    pub hidden: bool,
    /// Number of suspension states holding a value of this name, when more than one.
    pub shared_by: Option<usize>,
    /// Held across the await in a way worth a warning (guard, `RefCell` borrow, `Rc`).
    pub suspicious: bool,
}

/// Colours and line style of one kind of transition, shared by the DOT and SVG renderers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EdgeStyle {
    /// Stroke and label colour, `#rrggbb`.
    pub color: &'static str,
    /// Drawn dashed (unwinding).
    pub dashed: bool,
    /// Drawn dotted (polling after completion).
    pub dotted: bool,
    /// Drawn heavier (the normal path through the body).
    pub bold: bool,
}

/// The style of a transition kind.
pub fn edge_style(kind: TransitionKind) -> EdgeStyle {
    let plain = EdgeStyle {
        color: "#37474f",
        dashed: false,
        dotted: false,
        bold: false,
    };
    match kind {
        TransitionKind::FirstPoll => plain,
        TransitionKind::Ready => EdgeStyle {
            bold: true,
            ..plain
        },
        TransitionKind::Pending => EdgeStyle {
            color: "#1565c0",
            ..plain
        },
        TransitionKind::EarlyReturn => EdgeStyle {
            color: "#e65100",
            ..plain
        },
        TransitionKind::Unwind => EdgeStyle {
            color: "#c62828",
            dashed: true,
            ..plain
        },
        TransitionKind::PollAfterCompletion => EdgeStyle {
            color: "#c62828",
            dotted: true,
            ..plain
        },
    }
}

/// Header colour of a state kind.
pub fn state_color(kind: StateKind) -> &'static str {
    match kind {
        StateKind::Unresumed => "#c8e6c9",
        StateKind::Suspend(_) => "#bbdefb",
        StateKind::Returned => "#e0e0e0",
        StateKind::Panicked => "#ffcdd2",
    }
}

/// Background of a suspicious row and its warning.
pub const WARN_COLOR: &str = "#ffe0b2";
/// Colour of the `×N` mark on locals held by several states.
pub const SHARED_COLOR: &str = "#6a1b9a";

/// Why holding `local` across an `.await` deserves a warning, if it does: a lock guard, a
/// `RefCell` borrow, or an `Rc` (which makes the future `!Send`). Reads the declared type, the
/// name and the initializer (`m.lock()`, `cell.borrow_mut()`); `lock().await` (an async mutex,
/// made to be held across awaits) is not flagged.
pub fn suspicion(local: &SavedLocal) -> Option<&'static str> {
    let ty = local.ty.as_deref().unwrap_or("");
    let texts = [ty, local.name.as_str()];
    let any = |needle: &str| texts.iter().any(|t| t.contains(needle));
    if any("MutexGuard") || any("RwLockReadGuard") || any("RwLockWriteGuard") {
        return Some("a lock guard held across .await: other tasks block, or it deadlocks");
    }
    if any("RefMut") || any("Ref<") {
        return Some("a RefCell borrow held across .await: a second borrow panics");
    }
    if has_rc(ty) || has_rc(&local.name) {
        return Some("an Rc held across .await: the future is not Send");
    }
    let init: String = local
        .init
        .as_deref()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if init.contains(".lock()") && !init.contains(".lock().await") {
        return Some("a lock guard (from .lock()) held across .await: other tasks block");
    }
    if init.contains(".read()") && init.contains(".read().unwrap()")
        || init.contains(".write()") && init.contains(".write().unwrap()")
    {
        return Some("an RwLock guard held across .await: other tasks block");
    }
    if init.contains(".borrow_mut()") || init.ends_with(".borrow()") {
        return Some("a RefCell borrow held across .await: a second borrow panics");
    }
    if init.contains("Rc::new(") && !init.contains("Arc::new(") || init.contains("Rc::clone(") {
        return Some("an Rc held across .await: the future is not Send");
    }
    None
}

/// `Rc<` not preceded by `A` (so `Arc<` is fine).
fn has_rc(text: &str) -> bool {
    text.match_indices("Rc<").any(|(i, _)| {
        !text[..i]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

/// Cut `text` to at most `max` characters, ending with `…` when cut.
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

fn origin_text(origin: SavedOrigin) -> &'static str {
    match origin {
        SavedOrigin::Argument => "argument",
        SavedOrigin::Local => "local",
        SavedOrigin::Temporary => "hidden temporary",
    }
}

/// The content of every state's box, in rustc's variant order.
pub fn cards(graph: &StateGraph) -> Vec<Card> {
    // How many suspension states hold each name (saved or moved into the awaitee).
    let mut shared: std::collections::BTreeMap<&str, usize> = Default::default();
    for state in graph.graph.node_weights() {
        if !matches!(state.kind, StateKind::Suspend(_)) {
            continue;
        }
        let mut names: Vec<&str> = state.saved.iter().map(|l| l.name.as_str()).collect();
        if let Some(a) = &state.awaitee {
            names.extend(a.wraps.iter().map(String::as_str));
        }
        names.sort_unstable();
        names.dedup();
        for name in names {
            *shared.entry(name).or_default() += 1;
        }
    }
    let shared_by = |name: &str| shared.get(name).copied().filter(|&n| n > 1);

    graph
        .graph
        .node_weights()
        .map(|state| {
            let suspended = matches!(state.kind, StateKind::Suspend(_));
            let wraps: &[String] = state.awaitee.as_ref().map_or(&[], |a| &a.wraps);
            let mut rows = Vec::new();
            let mut warnings = Vec::new();
            // Locals the awaitee borrows and that live inside it; listed first.
            for name in wraps {
                if state.saved.iter().any(|l| &l.name == name) {
                    continue;
                }
                rows.push(Row {
                    name: name.clone(),
                    ty: None,
                    held_as: "moved into awaitee".to_string(),
                    hidden: false,
                    shared_by: if suspended { shared_by(name) } else { None },
                    suspicious: false,
                });
            }
            for local in &state.saved {
                let mut held_as = origin_text(local.origin).to_string();
                if wraps.contains(&local.name) {
                    held_as.push_str(", moved into awaitee");
                }
                let warning = if suspended { suspicion(local) } else { None };
                if let Some(w) = warning {
                    warnings.push(format!("{}: {w}", local.name));
                }
                rows.push(Row {
                    name: local.name.clone(),
                    ty: local.ty.as_deref().map(|t| shorten(t, MAX_TEXT / 2)),
                    held_as,
                    hidden: local.origin == SavedOrigin::Temporary,
                    shared_by: if suspended {
                        shared_by(&local.name)
                    } else {
                        None
                    },
                    suspicious: warning.is_some(),
                });
            }
            let note = match state.kind {
                StateKind::Unresumed if rows.is_empty() => Some("no arguments"),
                StateKind::Unresumed => Some("created, not yet polled"),
                StateKind::Returned => Some("completed: polling again panics"),
                StateKind::Panicked => Some("a poll panicked: polling again panics"),
                StateKind::Suspend(_) if state.awaitee.is_none() => Some("suspended"),
                StateKind::Suspend(_) => None,
            };
            Card {
                name: state.name.clone(),
                kind: state.kind,
                awaiting: state.awaitee.as_ref().map(|a| shorten(&a.expr, MAX_TEXT)),
                line: state.awaitee.as_ref().map_or(0, |a| a.line),
                note: note.map(str::to_string),
                rows,
                warnings,
            }
        })
        .collect()
}

/// The text under the title of a suspension state: `.await fetch(id)` and its line.
pub fn awaiting_text(card: &Card) -> Option<String> {
    let expr = card.awaiting.as_ref()?;
    Some(if card.line > 0 {
        format!("{expr}.await · line {}", card.line)
    } else {
        format!("{expr}.await")
    })
}

/// Which text an empty table shows.
pub fn empty_rows_text(card: &Card) -> Option<&'static str> {
    match (card.kind, card.rows.is_empty()) {
        (StateKind::Suspend(_), true) => Some("holds no saved locals"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(name: &str, ty: Option<&str>, init: Option<&str>) -> SavedLocal {
        SavedLocal {
            name: name.into(),
            field: name.into(),
            ty: ty.map(Into::into),
            origin: SavedOrigin::Local,
            line: 1,
            init: init.map(Into::into),
        }
    }

    #[test]
    fn suspicious_holds() {
        assert!(suspicion(&local("g", Some("MutexGuard<'_, u32>"), None)).is_some());
        assert!(suspicion(&local("g", Some("std::cell::RefMut<'_, u32>"), None)).is_some());
        assert!(suspicion(&local("g", Some("Ref<'_, u32>"), None)).is_some());
        assert!(suspicion(&local("r", Some("Rc<String>"), None)).is_some());
        assert!(suspicion(&local("r", Some("Arc<String>"), None)).is_none());
        assert!(suspicion(&local("g", None, Some("m.lock().unwrap()"))).is_some());
        assert!(suspicion(&local("g", None, Some("m.lock().await"))).is_none());
        assert!(suspicion(&local("g", None, Some("cell.borrow_mut()"))).is_some());
        assert!(suspicion(&local("n", Some("u32"), Some("1"))).is_none());
    }

    #[test]
    fn shorten_cuts_on_chars() {
        assert_eq!(shorten("abc", 3), "abc");
        assert_eq!(shorten("αβγδ", 3), "αβ…");
    }
}
