//! Diagrams of real lowered fns (not hand-built graphs): every state drawn, DOT that Graphviz
//! accepts, edges that follow the control flow.

use std::str::FromStr;

use awaitgraph_core::config::Config;
use awaitgraph_core::model::{StateGraph, TransitionKind};
use awaitgraph_core::render::{dot, svg};

fn lower(src: &str) -> StateGraph {
    let t = proc_macro2::TokenStream::from_str(src).expect("tokens");
    awaitgraph_core::lower(&Config::default(), t)
        .expect("lowers")
        .1
}

const FNS: &[&str] = &[
    "async fn seq(n: u64) -> Result<u64, E> { let a = f(n).await?; let b = g(a).await; Ok(a + b) }",
    "async fn branches(x: Option<u32>) -> u32 {
        let r = match x { Some(0) => a().await, Some(v) if v > 1 => { let g = G::new(); b(v).await + g.n() } Some(v) => v, None => 9 };
        if r > 3 { c(r).await } else { r }
    }",
    "async fn loops(v: Vec<u32>) -> u32 {
        let mut t = 0;
        for x in v.into_iter() { if x == 2 { continue; } t += a(x).await; }
        while t > 10 { t = b(t).await; }
        t
    }",
    "async fn borrowed(&mut self) -> usize { let mut buf = Vec::new(); self.read(&mut buf).await; buf.len() }",
];

#[test]
fn every_state_and_await_is_drawn() {
    for src in FNS {
        let g = lower(src);
        let text = dot::to_dot_string(&g);
        for (_, s) in g.states() {
            assert!(text.contains(&s.name), "{} missing in\n{text}", s.name);
            if let Some(a) = &s.awaitee {
                assert!(!a.expr.is_empty(), "{}: empty awaitee text", s.name);
            }
        }
        #[cfg(feature = "graphviz")]
        {
            let parsed = dot::parse(&text).expect("graphviz-rust parses the DOT");
            let _ = parsed;
        }
    }
}

#[test]
fn edges_follow_the_control_flow() {
    let g = lower(FNS[2]);
    let edge = |from: &str, to: &str| {
        let (a, b) = (g.state(from).expect("from"), g.state(to).expect("to"));
        g.graph.edges_connecting(a, b).any(|e| {
            matches!(
                e.weight().kind,
                TransitionKind::Ready | TransitionKind::FirstPoll
            )
        })
    };
    // The for loop's await can come back to itself, go on to the while loop's await, or end.
    assert!(edge("Unresumed", "Suspend0"));
    assert!(edge("Unresumed", "Suspend1"));
    assert!(edge("Suspend0", "Suspend0"));
    assert!(edge("Suspend0", "Suspend1"));
    assert!(edge("Suspend1", "Suspend1"));
    assert!(edge("Suspend1", "Returned"));
    assert!(!edge("Suspend1", "Suspend0"));
}

#[test]
fn graphviz_renders_them() {
    if !svg::graphviz_available() {
        eprintln!("Graphviz `dot` not installed: skipping (apt-get install graphviz)");
        return;
    }
    for src in FNS {
        let g = lower(src);
        let out = svg::to_svg(&g).unwrap_or_else(|e| panic!("{}: {e}", g.fn_name));
        assert!(out.contains("<svg"), "{}", g.fn_name);
    }
}

/// A state's label is the awaited expression as written: not `__self`, not the `match` that
/// `?` becomes, not the hidden locals that operands evaluated first were moved into.
#[test]
fn awaitee_labels_show_the_written_expression() {
    let g = lower(
        "async fn labels(&self, x: Option<u64>) -> Option<u64> {
            let a = self.get(x?).await;
            let b = leaf(match mk(a) { Some(v) => v, None => 0 }, g(a).await).await;
            println!(\"{}\", h(b).await);
            Some(a + b)
        }",
    );
    let label = |state: &str| {
        let i = g.state(state).expect("state");
        g.graph[i].awaitee.as_ref().expect("awaitee").expr.clone()
    };
    assert_eq!(label("Suspend0"), "self.get(x?)");
    assert_eq!(label("Suspend1"), "g(a)");
    assert_eq!(
        label("Suspend2"),
        "leaf(match mk(a) { Some(v) => v, None => 0 }, g(a).await)"
    );
    assert_eq!(label("Suspend3"), "h(b)");
}
