//! The state graph of one lowered `async fn`: the data every output (generated code summary,
//! DOT/SVG/Mermaid diagrams, rustdoc table, comparison with rustc) is built from.
//!
//! Nodes are the states in rustc's order: `Unresumed`, `Returned`, `Panicked`, then
//! `Suspend0..N` in source order (rustc's variant indices 0, 1, 2, 3..). Edges are every possible
//! transition, labelled with what causes it.

use petgraph::graph::{DiGraph, NodeIndex};

/// A lowered `async fn` as a graph of states.
#[derive(Clone, Debug)]
pub struct StateGraph {
    /// The fn's name as written (`fetch_user`), with `Type::` prepended for methods when known.
    pub fn_name: String,
    /// The signature as written, for titles (`async fn fetch_user(id: u32) -> Result<User, Error>`).
    pub signature: String,
    /// Line of the `fn` keyword in the source file (1-based), 0 when unknown.
    pub line: usize,
    /// States and transitions. Node `i` is state `i` in rustc's variant order.
    pub graph: DiGraph<State, Transition>,
}

/// One variant of the generated state enum.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    /// `Unresumed`, `Suspend0`, ..., `Returned`, `Panicked`: the variant name in the generated
    /// enum, identical to rustc's names.
    pub name: String,
    /// What kind of state it is.
    pub kind: StateKind,
    /// For `SuspendN`: the awaited expression and where it is.
    pub awaitee: Option<Awaitee>,
    /// The values this variant holds, in field order of the generated variant (for suspension
    /// states: the awaitee is not listed here, it is `awaitee`; locals follow in reverse
    /// declaration order, which is the drop order).
    pub saved: Vec<SavedLocal>,
}

/// The kind of a state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StateKind {
    /// Created, never polled: holds the arguments.
    Unresumed,
    /// Completed: polling again panics with "`async fn` resumed after completion".
    Returned,
    /// A poll panicked: polling again panics with "`async fn` resumed after panicking".
    Panicked,
    /// Suspended at the `n`th `.await` in source order.
    Suspend(usize),
}

/// The awaited expression of a suspension state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Awaitee {
    /// The expression before `.await`, as written (whitespace normalised).
    pub expr: String,
    /// Source line (1-based) of the `.await`, 0 when unknown.
    pub line: usize,
    /// Source column (0-based) of the `.await`, 0 when unknown.
    pub column: usize,
    /// Saved locals the awaited call borrows. awaitgraph moves them into a compiler-checked
    /// `async move` block stored as the awaitee, which hands them back with the output; they
    /// live inside the awaitee while suspended. Empty when the awaitee borrows nothing saved.
    pub wraps: Vec<String>,
    /// Whether the awaitee is such an `async move` block (also when it hands nothing back, so
    /// `wraps` is empty): its size is the block's, not the awaited future's.
    pub wrapped: bool,
}

/// A value held by a state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedLocal {
    /// The name in the source (`buf`, `self`, or a hidden name such as `__e0` for temporaries).
    pub name: String,
    /// The field name in the generated variant.
    pub field: String,
    /// The declared type, if the source writes one (`let x: u32`, or a parameter).
    pub ty: Option<String>,
    /// Why it is held.
    pub origin: SavedOrigin,
    /// Source line (1-based) of its declaration, 0 when unknown.
    pub line: usize,
    /// The initializer as written (`m.lock().unwrap()`, `cell.borrow_mut()`) when the local is
    /// bound by a `let` with one; `None` for parameters, temporaries and `let x;`. The diagrams
    /// read it to flag guards held across an `.await` when the source declares no type.
    pub init: Option<String>,
}

/// Why a state holds a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SavedOrigin {
    /// A parameter of the fn (including `self`), held by `Unresumed`.
    Argument,
    /// A local (or parameter) used after the await or that may still need dropping.
    Local,
    /// A hidden temporary the lowering introduced to keep evaluation order or a temporary's
    /// lifetime across the await.
    Temporary,
}

/// A possible transition between two states.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transition {
    /// What causes it.
    pub kind: TransitionKind,
    /// A short label: `first poll`, `Pending`, `Ready`, `Ready · ? Err → return`, `return`, ...
    pub label: String,
}

/// The cause of a transition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TransitionKind {
    /// The first poll starts running the body.
    FirstPoll,
    /// The awaitee returned `Pending`: the future stays in its state (self loop).
    Pending,
    /// The awaitee returned `Ready` and the body ran to the next await or to the end.
    Ready,
    /// The body returned early (`return`, or `?` on an error/`None`).
    EarlyReturn,
    /// A panic unwound out of `poll` (drawn dashed).
    Unwind,
    /// Polling a completed future panics.
    PollAfterCompletion,
}

impl StateGraph {
    /// An empty graph for `fn_name`.
    pub fn new(fn_name: impl Into<String>, signature: impl Into<String>, line: usize) -> Self {
        StateGraph {
            fn_name: fn_name.into(),
            signature: signature.into(),
            line,
            graph: DiGraph::new(),
        }
    }

    /// The states in rustc's variant order.
    pub fn states(&self) -> impl Iterator<Item = (NodeIndex, &State)> {
        self.graph.node_indices().map(move |i| (i, &self.graph[i]))
    }

    /// The state named `name`.
    pub fn state(&self, name: &str) -> Option<NodeIndex> {
        self.graph
            .node_indices()
            .find(|&i| self.graph[i].name == name)
    }

    /// Number of `SuspendN` states.
    pub fn suspend_count(&self) -> usize {
        self.graph
            .node_weights()
            .filter(|s| matches!(s.kind, StateKind::Suspend(_)))
            .count()
    }
}

impl StateGraph {
    /// The graph as one JSON object (hand-written: core is on the proc-macro path and takes no
    /// serde). `cargo awaitgraph compare` reads it to map rustc's saved locals to these by
    /// declaration line. Shape:
    /// `{"fn": .., "signature": .., "line": N, "states": [{"name": .., "kind": "suspend",
    /// "index": 0, "awaitee": {"expr": .., "line": N, "column": N, "wrapped": bool, "wraps": [..]}
    /// | null,
    /// "saved": [{"name": .., "field": .., "type": .. | null, "origin": "local", "line": N}]}],
    /// "transitions": [{"from": .., "to": .., "kind": "ready", "label": ..}]}`.
    pub fn to_json(&self) -> String {
        use std::fmt::Write as _;
        let mut s = String::new();
        let _ = write!(
            s,
            "{{\"fn\":{},\"signature\":{},\"line\":{},\"states\":[",
            json_str(&self.fn_name),
            json_str(&self.signature),
            self.line
        );
        for (k, (_, st)) in self.states().enumerate() {
            if k > 0 {
                s.push(',');
            }
            let (kind, index) = match st.kind {
                StateKind::Unresumed => ("unresumed", None),
                StateKind::Returned => ("returned", None),
                StateKind::Panicked => ("panicked", None),
                StateKind::Suspend(n) => ("suspend", Some(n)),
            };
            let _ = write!(
                s,
                "{{\"name\":{},\"kind\":\"{kind}\",\"index\":{},\"awaitee\":",
                json_str(&st.name),
                index.map_or("null".to_string(), |n| n.to_string())
            );
            match &st.awaitee {
                None => s.push_str("null"),
                Some(a) => {
                    let wraps: Vec<String> = a.wraps.iter().map(|w| json_str(w)).collect();
                    let _ = write!(
                        s,
                        "{{\"expr\":{},\"line\":{},\"column\":{},\"wrapped\":{},\"wraps\":[{}]}}",
                        json_str(&a.expr),
                        a.line,
                        a.column,
                        a.wrapped,
                        wraps.join(",")
                    );
                }
            }
            s.push_str(",\"saved\":[");
            for (j, l) in st.saved.iter().enumerate() {
                if j > 0 {
                    s.push(',');
                }
                let origin = match l.origin {
                    SavedOrigin::Argument => "argument",
                    SavedOrigin::Local => "local",
                    SavedOrigin::Temporary => "temporary",
                };
                let _ = write!(
                    s,
                    "{{\"name\":{},\"field\":{},\"type\":{},\"origin\":\"{origin}\",\"line\":{}}}",
                    json_str(&l.name),
                    json_str(&l.field),
                    l.ty.as_deref().map_or("null".to_string(), json_str),
                    l.line
                );
            }
            s.push_str("]}");
        }
        s.push_str("],\"transitions\":[");
        for (k, e) in self.graph.edge_indices().enumerate() {
            let Some((from, to)) = self.graph.edge_endpoints(e) else {
                continue;
            };
            if k > 0 {
                s.push(',');
            }
            let t = &self.graph[e];
            let kind = match t.kind {
                TransitionKind::FirstPoll => "first-poll",
                TransitionKind::Pending => "pending",
                TransitionKind::Ready => "ready",
                TransitionKind::EarlyReturn => "early-return",
                TransitionKind::Unwind => "unwind",
                TransitionKind::PollAfterCompletion => "poll-after-completion",
            };
            let _ = write!(
                s,
                "{{\"from\":{},\"to\":{},\"kind\":\"{kind}\",\"label\":{}}}",
                json_str(&self.graph[from].name),
                json_str(&self.graph[to].name),
                json_str(&t.label)
            );
        }
        s.push_str("]}");
        s
    }
}

/// `text` as a JSON string literal.
fn json_str(text: &str) -> String {
    let mut s = String::with_capacity(text.len() + 2);
    s.push('"');
    for c in text.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            '\r' => s.push_str("\\r"),
            '\t' => s.push_str("\\t"),
            c if (c as u32) < 0x20 => s.push_str(&format!("\\u{:04x}", c as u32)),
            c => s.push(c),
        }
    }
    s.push('"');
    s
}

#[cfg(test)]
mod json_tests {
    use super::*;

    #[test]
    fn to_json_escapes_and_lists_every_state() {
        let mut g = StateGraph::new("f", "async fn f(s: &str) -> \"x\"", 3);
        let u = g.graph.add_node(State {
            name: "Unresumed".into(),
            kind: StateKind::Unresumed,
            awaitee: None,
            saved: vec![SavedLocal {
                name: "s".into(),
                field: "s".into(),
                ty: Some("&str".into()),
                origin: SavedOrigin::Argument,
                line: 3,
                init: None,
            }],
        });
        let k = g.graph.add_node(State {
            name: "Suspend0".into(),
            kind: StateKind::Suspend(0),
            awaitee: Some(Awaitee {
                expr: "g(\\n)".into(),
                line: 4,
                column: 9,
                wraps: vec!["buf".into()],
                wrapped: true,
            }),
            saved: vec![],
        });
        g.graph.add_edge(
            u,
            k,
            Transition {
                kind: TransitionKind::FirstPoll,
                label: "first poll".into(),
            },
        );
        let j = g.to_json();
        assert_eq!(
            j,
            "{\"fn\":\"f\",\"signature\":\"async fn f(s: &str) -> \\\"x\\\"\",\"line\":3,\"states\":[\
             {\"name\":\"Unresumed\",\"kind\":\"unresumed\",\"index\":null,\"awaitee\":null,\"saved\":[\
             {\"name\":\"s\",\"field\":\"s\",\"type\":\"&str\",\"origin\":\"argument\",\"line\":3}]},\
             {\"name\":\"Suspend0\",\"kind\":\"suspend\",\"index\":0,\"awaitee\":{\"expr\":\"g(\\\\n)\",\
             \"line\":4,\"column\":9,\"wrapped\":true,\"wraps\":[\"buf\"]},\"saved\":[]}],\"transitions\":[\
             {\"from\":\"Unresumed\",\"to\":\"Suspend0\",\"kind\":\"first-poll\",\"label\":\"first poll\"}]}"
        );
    }
}
