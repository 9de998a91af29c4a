//! Diagrams of hand-built state graphs: DOT goldens and structure (through graphviz-rust's
//! parser), Mermaid and rustdoc snapshots, well-formed SVG from both renderers, output files.

mod common;

use std::time::Instant;

use awaitgraph_core::model::{StateGraph, StateKind, TransitionKind};
use awaitgraph_core::render::{self, Formats, OutputOptions, SvgRenderer, dot, svg};
use dot_structures::{Attribute, EdgeTy, Graph, Id, Stmt, Vertex};

fn stmts(g: &Graph) -> &[Stmt] {
    match g {
        Graph::Graph { stmts, .. } | Graph::DiGraph { stmts, .. } => stmts,
    }
}

fn attr<'a>(attrs: &'a [Attribute], key: &str) -> Option<&'a str> {
    attrs.iter().find_map(|Attribute(k, v)| match (k, v) {
        (Id::Plain(k), Id::Plain(v) | Id::Escaped(v) | Id::Html(v)) if k == key => Some(v.as_str()),
        _ => None,
    })
}

fn vertex_name(v: &Vertex) -> String {
    match v {
        Vertex::N(id) => match &id.0 {
            Id::Plain(s) | Id::Escaped(s) | Id::Html(s) | Id::Anonymous(s) => s.clone(),
        },
        Vertex::S(_) => String::new(),
    }
}

#[test]
fn dot_goldens() {
    for (name, g) in common::all() {
        insta::assert_snapshot!(format!("dot_{name}"), dot::to_dot_string(&g));
    }
}

#[test]
fn dot_structure_through_graphviz_rust_parser() {
    for (name, g) in common::all() {
        let text = dot::to_dot_string(&g);
        let parsed = graphviz_rust::parse(&text)
            .unwrap_or_else(|e| panic!("{name}: DOT does not parse: {e}\n{text}"));
        // The parser gives back exactly the model we printed.
        assert_eq!(parsed, dot::to_graph(&g), "{name}: round trip");
        let top = stmts(&parsed);
        let nodes: Vec<&dot_structures::Node> = top
            .iter()
            .filter_map(|s| match s {
                Stmt::Node(n) => Some(n),
                _ => None,
            })
            .collect();
        assert_eq!(nodes.len(), g.graph.node_count(), "{name}: nodes");
        for n in &nodes {
            let label = attr(&n.attributes, "label").unwrap_or("");
            assert!(label.starts_with("<<table"), "{name}: HTML label");
        }
        let edges: Vec<&dot_structures::Edge> = top
            .iter()
            .filter_map(|s| match s {
                Stmt::Edge(e) => Some(e),
                _ => None,
            })
            .collect();
        assert_eq!(edges.len(), g.graph.edge_count(), "{name}: edges");
        let dashed: Vec<(String, String)> = edges
            .iter()
            .filter(|e| attr(&e.attributes, "style") == Some("dashed"))
            .filter_map(|e| match &e.ty {
                EdgeTy::Pair(a, b) => Some((vertex_name(a), vertex_name(b))),
                EdgeTy::Chain(_) => None,
            })
            .collect();
        let unwinds: Vec<(String, String)> = g
            .graph
            .raw_edges()
            .iter()
            .filter(|e| e.weight.kind == TransitionKind::Unwind)
            .map(|e| {
                (
                    g.graph[e.source()].name.clone(),
                    g.graph[e.target()].name.clone(),
                )
            })
            .collect();
        assert_eq!(
            dashed, unwinds,
            "{name}: exactly the unwind edges are dashed"
        );
        assert!(unwinds.iter().all(|(_, to)| to == "Panicked"));
        // Pending is a self loop on every suspension state.
        let pending = edges
            .iter()
            .filter(|e| matches!(&e.ty, EdgeTy::Pair(a, b) if vertex_name(a) == vertex_name(b)))
            .filter(|e| attr(&e.attributes, "label") == Some("\" Pending \""))
            .count();
        assert_eq!(pending, g.suspend_count(), "{name}: Pending loops");
        // A legend.
        assert!(top.iter().any(|s| matches!(
            s,
            Stmt::Subgraph(sub) if sub.id == Id::Plain("legend".into())
        )));
    }
}

#[test]
fn printer_matches_graphviz_rust() {
    use graphviz_rust::printer::{DotPrinter, PrinterContext};
    for (name, g) in common::all() {
        let model = dot::to_graph(&g);
        let theirs = model.print(&mut PrinterContext::default());
        assert_eq!(dot::print(&model), theirs, "{name}");
    }
    // Shapes the diagrams do not use: ports, chains, strict, undirected, empty attribute lists.
    let text = "strict graph g {\n  a:p:n -- b:q\n  a -- b -- c[color=red]\n  x=1\n  subgraph s {\n    n\n  }\n}";
    let parsed = graphviz_rust::parse(text).expect("parses");
    assert_eq!(
        dot::print(&parsed),
        parsed.print(&mut PrinterContext::default())
    );
}

#[cfg(feature = "graphviz")]
#[test]
fn graphviz_feature_api() {
    let g = common::sequential();
    let text = dot::to_dot_string(&g);
    let parsed = dot::parse(&text).expect("parses");
    assert_eq!(dot::print_with_graphviz_rust(&parsed), text);
}

#[test]
fn dot_is_deterministic() {
    for (name, g) in common::all() {
        assert_eq!(
            dot::to_dot_string(&g),
            dot::to_dot_string(&g.clone()),
            "{name}"
        );
        assert_eq!(svg::to_svg_fallback(&g), svg::to_svg_fallback(&g), "{name}");
    }
}

#[test]
fn suspicious_holds_are_marked() {
    let g = common::guards();
    let text = dot::to_dot_string(&g);
    for needle in [
        "guard: a lock guard held across .await",
        "counter: a RefCell borrow held across .await",
        "view: a RefCell borrow held across .await",
        "shared: an Rc held across .await",
    ] {
        assert!(text.contains(needle), "missing {needle:?}");
    }
    // `shared` is held by both suspension states.
    assert!(text.contains("<b>shared</b></font> <font color=\"#6a1b9a\">×2</font>"));
    // Nothing suspicious in a plain fn.
    assert!(!dot::to_dot_string(&common::sequential()).contains("#bf360c"));
}

#[test]
fn wrapped_locals_are_shown_moved_into_awaitee() {
    let text = dot::to_dot_string(&common::borrowed_buffer());
    assert!(text.contains("local, moved into awaitee"));
    assert!(text.contains("argument") || text.contains("local"));
    let md = render::doc::state_table_markdown(&common::borrowed_buffer());
    assert!(md.contains("`buf: [u8; 4096]` (local, moved into awaitee)"));
}

#[test]
fn mermaid_snapshots() {
    for name in ["sequential", "question_mark", "guards", "escaping"] {
        let g = common::all()
            .into_iter()
            .find(|(n, _)| *n == name)
            .map(|(_, g)| g)
            .expect("fixture");
        let text = render::mermaid::to_mermaid(&g);
        assert!(text.starts_with("stateDiagram-v2\n"));
        insta::assert_snapshot!(format!("mermaid_{name}"), text);
    }
}

#[test]
fn doc_table_snapshots() {
    insta::assert_snapshot!(
        "doc_question_mark",
        render::doc::state_table_markdown(&common::question_mark())
    );
    insta::assert_snapshot!(
        "doc_escaping",
        render::doc::state_table_markdown(&common::escaping())
    );
    for (name, g) in common::all() {
        let md = render::doc::state_table_markdown(&g);
        assert_eq!(md.lines().count(), 2 + g.graph.node_count(), "{name}");
    }
}

fn texts(doc: &roxmltree::Document<'_>) -> String {
    doc.descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn fallback_svg_is_well_formed_and_complete() {
    for (name, g) in common::all() {
        let text = svg::to_svg_fallback(&g);
        let doc =
            roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{name}: not XML: {e}"));
        assert_eq!(doc.root_element().tag_name().name(), "svg");
        let content = texts(&doc);
        for (_, state) in g.states() {
            assert!(content.contains(&state.name), "{name}: {}", state.name);
        }
        // One path per transition (plus the legend's samples), dashed unwind edges.
        let paths = doc
            .descendants()
            .filter(|n| n.has_tag_name("path") && n.attribute("marker-end").is_some())
            .count();
        assert_eq!(paths, g.graph.edge_count() + 5, "{name}: edge paths");
        let dashed = doc
            .descendants()
            .filter(|n| n.attribute("marker-end") == Some("url(#arrow-unwind)"))
            .count();
        let unwinds = g
            .graph
            .raw_edges()
            .iter()
            .filter(|e| e.weight.kind == TransitionKind::Unwind)
            .count();
        assert_eq!(dashed, unwinds + 1, "{name}: unwind edges");
    }
}

#[test]
fn fallback_boxes_do_not_overlap() {
    for (name, g) in common::all() {
        let text = svg::to_svg_fallback(&g);
        let doc = roxmltree::Document::parse(&text).expect("XML");
        let rects: Vec<(f64, f64, f64, f64)> = doc
            .descendants()
            .filter(|n| n.attribute("class") == Some("state"))
            .filter_map(|n| n.children().find(|c| c.has_tag_name("rect")))
            .filter_map(|r| {
                let f = |k: &str| r.attribute(k).and_then(|v| v.parse::<f64>().ok());
                Some((f("x")?, f("y")?, f("width")?, f("height")?))
            })
            .collect();
        assert_eq!(rects.len(), g.graph.node_count(), "{name}");
        for (i, a) in rects.iter().enumerate() {
            for b in &rects[i + 1..] {
                let apart =
                    a.0 + a.2 <= b.0 || b.0 + b.2 <= a.0 || a.1 + a.3 <= b.1 || b.1 + b.3 <= a.1;
                assert!(apart, "{name}: boxes overlap: {a:?} {b:?}");
            }
        }
    }
}

#[test]
fn graphviz_svg_when_installed() {
    if !svg::graphviz_available() {
        eprintln!("note: Graphviz `dot` is not installed; skipping the Graphviz SVG test");
        return;
    }
    for (name, g) in common::all() {
        let text = svg::to_svg(&g).unwrap_or_else(|e| panic!("{name}: {e}"));
        let doc = roxmltree::Document::parse_with_options(
            &text,
            roxmltree::ParsingOptions {
                allow_dtd: true,
                ..Default::default()
            },
        )
        .unwrap_or_else(|e| panic!("{name}: not XML: {e}"));
        let content = texts(&doc);
        for (_, state) in g.states() {
            assert!(content.contains(&state.name), "{name}: {}", state.name);
        }
    }
}

#[test]
fn missing_graphviz_error_says_how_to_install() {
    let msg = render::RenderError::GraphvizNotFound.to_string();
    assert!(msg.contains("apt-get install graphviz"), "{msg}");
}

#[test]
fn odd_graphs_do_not_panic() {
    let empty = StateGraph::new("", "", 0);
    let mut one = StateGraph::new("weird \"name\" <x>", "async fn x()\n", 0);
    one.graph.add_node(awaitgraph_core::model::State {
        name: "node".into(), // a DOT keyword
        kind: StateKind::Suspend(0),
        awaitee: None,
        saved: vec![],
    });
    for g in [empty, one] {
        let text = dot::to_dot_string(&g);
        graphviz_rust::parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        roxmltree::Document::parse(&svg::to_svg_fallback(&g)).expect("XML");
        render::mermaid::to_mermaid(&g);
        render::doc::state_table_markdown(&g);
    }
}

fn temp_dir(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("awaitgraph-test-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn write_outputs_writes_once_and_rewrites_on_change() {
    let dir = temp_dir("write");
    let opts = OutputOptions {
        crate_name: "app".into(),
        module_path: "net::client".into(),
        formats: Formats::default(),
        svg: SvgRenderer::Fallback,
        dir: Some(dir.clone()),
    };
    let g = common::sequential();
    let paths = render::write_outputs(&g, &opts).expect("written");
    let names: Vec<String> = paths
        .iter()
        .filter_map(|p| p.strip_prefix(&dir).ok())
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .collect();
    assert_eq!(
        names,
        [
            "app/net/client/fetch_user.dot",
            "app/net/client/fetch_user.svg",
            "app/net/client/fetch_user.mmd"
        ]
    );
    let dot_path = &paths[0];
    let first = std::fs::read(dot_path).expect("dot file");
    assert_eq!(first, format!("{}\n", dot::to_dot_string(&g)).into_bytes());
    let mtime = |p: &std::path::Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let before: Vec<_> = paths.iter().map(|p| mtime(p)).collect();
    std::thread::sleep(std::time::Duration::from_millis(20));
    render::write_outputs(&g, &opts).expect("written again");
    let after: Vec<_> = paths.iter().map(|p| mtime(p)).collect();
    assert_eq!(before, after, "unchanged files are not rewritten");
    // A different graph of the same name replaces the files.
    let mut changed = common::sequential();
    changed.signature.push_str(" // changed");
    render::write_outputs(&changed, &opts).expect("rewritten");
    assert_ne!(std::fs::read(dot_path).expect("dot"), first);
    // Formats can be turned off; nothing is left behind in temporary files.
    let only_mmd = OutputOptions {
        formats: Formats {
            dot: false,
            svg: false,
            mermaid: true,
        },
        ..opts.clone()
    };
    let paths = render::write_outputs(&common::guards(), &only_mmd).expect("written");
    assert_eq!(paths.len(), 1);
    assert!(paths[0].ends_with("app/net/client/Cache.refresh.mmd"));
    let leftovers = std::fs::read_dir(dir.join("app/net/client"))
        .expect("dir")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .count();
    assert_eq!(leftovers, 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn write_outputs_returns_errors_instead_of_panicking() {
    let dir = temp_dir("error");
    std::fs::create_dir_all(&dir).expect("dir");
    // A file where the crate directory should be.
    std::fs::write(dir.join("app"), b"not a directory").expect("file");
    let opts = OutputOptions {
        crate_name: "app".into(),
        svg: SvgRenderer::Fallback,
        dir: Some(dir.clone()),
        ..Default::default()
    };
    assert!(render::write_outputs(&common::sequential(), &opts).is_err());
    let _ = std::fs::remove_dir_all(&dir);
}

/// Writes every fixture's diagrams to `$AWAITGRAPH_DUMP` (to look at them).
#[test]
#[ignore = "writes files for a person to look at"]
fn dump_fixtures() {
    let Some(dir) = std::env::var_os("AWAITGRAPH_DUMP") else {
        eprintln!("set AWAITGRAPH_DUMP to a directory");
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    std::fs::create_dir_all(&dir).expect("dir");
    for (name, g) in common::all() {
        let w = |ext: &str, text: String| {
            std::fs::write(dir.join(format!("{name}.{ext}")), text).expect("write")
        };
        w("dot", dot::to_dot_string(&g));
        w("fallback.svg", svg::to_svg_fallback(&g));
        w("mmd", render::mermaid::to_mermaid(&g));
        w("md", render::doc::state_table_markdown(&g));
        if let Ok(s) = svg::to_svg(&g) {
            w("svg", s);
        }
    }
}

/// Timings: rendering and writing the diagrams of 200 fns.
/// `cargo test -p awaitgraph-core --test diagrams -- --ignored --nocapture bench_200`
#[test]
#[ignore = "prints timings"]
fn bench_200() {
    let graphs: Vec<StateGraph> = common::all()
        .into_iter()
        .map(|(_, g)| g)
        .cycle()
        .take(200)
        .enumerate()
        .map(|(i, mut g)| {
            g.fn_name = format!("{}_{i}", g.fn_name.replace("::", "_"));
            g
        })
        .collect();
    let time = |what: &str, f: &dyn Fn()| {
        let t = Instant::now();
        f();
        let dt = t.elapsed();
        println!(
            "{what}: {:.1} ms total, {:.3} ms per fn",
            dt.as_secs_f64() * 1e3,
            dt.as_secs_f64() * 1e3 / 200.0
        );
    };
    time("DOT text", &|| {
        for g in &graphs {
            std::hint::black_box(dot::to_dot_string(g));
        }
    });
    time("fallback SVG", &|| {
        for g in &graphs {
            std::hint::black_box(svg::to_svg_fallback(g));
        }
    });
    time("Mermaid + doc table", &|| {
        for g in &graphs {
            std::hint::black_box(render::mermaid::to_mermaid(g));
            std::hint::black_box(render::doc::state_table_markdown(g));
        }
    });
    let dir = temp_dir("bench");
    for (label, mode) in [
        ("fallback", SvgRenderer::Fallback),
        ("graphviz", SvgRenderer::Graphviz),
    ] {
        if mode == SvgRenderer::Graphviz && !svg::graphviz_available() {
            println!("Graphviz not installed: skipping its timings");
            continue;
        }
        let opts = OutputOptions {
            crate_name: format!("bench_{label}"),
            module_path: "m".into(),
            formats: Formats::default(),
            svg: mode,
            dir: Some(dir.clone()),
        };
        time(&format!("write_outputs, {label} SVG, cold"), &|| {
            for g in &graphs {
                let _ = render::write_outputs(g, &opts);
            }
        });
        time(&format!("write_outputs, {label} SVG, unchanged"), &|| {
            for g in &graphs {
                let _ = render::write_outputs(g, &opts);
            }
        });
    }
    let _ = std::fs::remove_dir_all(&dir);
}
