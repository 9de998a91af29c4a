//! The state graph of a lowered fn, built from the analysis: what the diagrams show.
//!
//! Input:  the [`Analysis`] of `async fn demo(n: u64) -> usize { let a = f(n).await?; a + n }`
//! Output: `Unresumed [n] -first poll-> Suspend0 [n] -Ready-> Returned`, `Suspend0 -Ready · ?
//!         Err → return-> Returned`, `Pending` self loop, unwind edges to `Panicked`.

use crate::codegen::Exits;
use crate::liveness::{Analysis, LocalId, Origin};
use crate::model::{
    Awaitee, SavedLocal, SavedOrigin, State, StateGraph, StateKind, Transition, TransitionKind,
};
use crate::parse::{AsyncFn, ParamKind};
use crate::rewrite::compact;

fn line_of(span: proc_macro2::Span) -> (usize, usize) {
    let s = span.start();
    (s.line, s.column)
}

fn saved_local(a: &Analysis, id: LocalId) -> SavedLocal {
    let l = &a.locals[id.0];
    let raw = l.ident.to_string();
    let name = if l.origin == Origin::Receiver {
        "self".to_string()
    } else if raw.starts_with("__iter") {
        "for-loop iterator".to_string()
    } else if raw.starts_with("__v") {
        format!("await output ({raw})")
    } else if ["__e", "__scrut", "__keep"]
        .iter()
        .any(|p| raw.starts_with(p))
    {
        format!("temporary ({raw})")
    } else {
        crate::shadow::display_name(&l.ident)
    };
    SavedLocal {
        name,
        field: l.field.to_string(),
        ty: l.ty.as_ref().map(compact),
        origin: match l.origin {
            Origin::Hidden => SavedOrigin::Temporary,
            _ => SavedOrigin::Local,
        },
        line: line_of(l.ident.span()).0,
        init: l.init_text.clone(),
    }
}

/// Builds the state graph.
pub fn build(
    f: &AsyncFn,
    a: &Analysis,
    awaits: &[(String, proc_macro2::Span)],
    exits: &[Exits],
) -> StateGraph {
    let sig = {
        let mut s = f.sig.clone();
        s.attrs_placeholder();
        compact(&s)
    };
    let mut g = StateGraph::new(f.sig.ident.to_string(), sig, line_of(f.sig.fn_token.span).0);
    let args: Vec<SavedLocal> = f
        .params
        .iter()
        .map(|p| SavedLocal {
            name: match &p.kind {
                ParamKind::Receiver { .. } => "self".into(),
                ParamKind::Ident { ident, .. } => ident.to_string(),
                ParamKind::Pattern(pat) => compact(pat),
            },
            field: p.field.to_string(),
            ty: Some(compact(&p.ty)),
            origin: SavedOrigin::Argument,
            line: line_of(p.field.span()).0,
            init: None,
        })
        .collect();
    let unresumed = g.graph.add_node(State {
        name: "Unresumed".into(),
        kind: StateKind::Unresumed,
        awaitee: None,
        saved: args,
    });
    let returned = g.graph.add_node(State {
        name: "Returned".into(),
        kind: StateKind::Returned,
        awaitee: None,
        saved: vec![],
    });
    let panicked = g.graph.add_node(State {
        name: "Panicked".into(),
        kind: StateKind::Panicked,
        awaitee: None,
        saved: vec![],
    });
    let mut suspends = Vec::new();
    for (k, s) in a.suspensions.iter().enumerate() {
        let mut ids: Vec<LocalId> = s.saved.iter().flatten().copied().collect();
        ids.sort();
        ids.reverse();
        let (expr, span) = awaits
            .get(k)
            .cloned()
            .unwrap_or_else(|| (String::new(), proc_macro2::Span::call_site()));
        let (line, column) = line_of(span);
        let node = g.graph.add_node(State {
            name: format!("Suspend{k}"),
            kind: StateKind::Suspend(k),
            awaitee: Some(Awaitee {
                expr,
                line,
                column,
                wraps: if s.wrapped {
                    s.returned
                        .iter()
                        .map(|id| saved_local(a, *id).name)
                        .collect()
                } else {
                    vec![]
                },
                wrapped: s.wrapped,
            }),
            saved: ids.iter().map(|id| saved_local(a, *id)).collect(),
        });
        suspends.push(node);
    }
    let edge = |g: &mut StateGraph, from, to, kind, label: &str| {
        g.graph.add_edge(
            from,
            to,
            Transition {
                kind,
                label: label.to_string(),
            },
        );
    };
    for (i, ex) in exits.iter().enumerate() {
        let from = if i == 0 { unresumed } else { suspends[i - 1] };
        let (kind, cause) = if i == 0 {
            (TransitionKind::FirstPoll, "first poll")
        } else {
            (TransitionKind::Ready, "Ready")
        };
        if i > 0 {
            edge(&mut g, from, from, TransitionKind::Pending, "Pending");
        }
        for &k in &ex.next {
            if let Some(&next) = suspends.get(k) {
                let label = match ex.conditions.get(&k) {
                    Some(c) => format!("{cause} · {c}"),
                    None if k < i => format!("{cause} · loop"),
                    None => cause.to_string(),
                };
                edge(&mut g, from, next, kind, &label);
            }
        }
        if ex.completes {
            edge(&mut g, from, returned, kind, &format!("{cause} · end"));
        }
        if ex.question {
            edge(
                &mut g,
                from,
                returned,
                TransitionKind::EarlyReturn,
                &format!("{cause} · ? Err/None → return"),
            );
        }
        if ex.returns {
            edge(
                &mut g,
                from,
                returned,
                TransitionKind::EarlyReturn,
                &format!("{cause} · return"),
            );
        }
        edge(&mut g, from, panicked, TransitionKind::Unwind, "panic");
    }
    edge(
        &mut g,
        returned,
        panicked,
        TransitionKind::PollAfterCompletion,
        "poll again: panics",
    );
    g
}

trait Placeholder {
    fn attrs_placeholder(&mut self);
}
impl Placeholder for syn::Signature {
    fn attrs_placeholder(&mut self) {
        for input in self.inputs.iter_mut() {
            if let syn::FnArg::Typed(pt) = input {
                pt.attrs.clear();
            }
        }
    }
}
