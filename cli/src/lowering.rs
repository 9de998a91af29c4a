//! awaitgraph's own account of each lowered fn: the state graphs the macro writes as
//! `<dir>/<crate>/<fn>.<line>.<hash>.states.json` when `AWAITGRAPH_STATES_DIR` is set, and the
//! source text rustc's spans point at. With them, rustc's saved locals map to awaitgraph's by
//! declaration line, not only by name (temporaries have no name, shadowed locals share one).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use awaitgraph_core::rustc_layout::{self, CoroutineMir, SourceSpan};
use serde_json::Value;

/// A value a state of the lowered machine holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Saved {
    /// Name in the source (`buf`, `self`, `e0` for a hidden temporary).
    pub name: String,
    /// Field of the generated variant (`buf`, `self_`, `__shadowed_x_0`).
    pub field: String,
    /// `argument`, `local` or `temporary`.
    pub origin: String,
    /// Declaration line, 0 when unknown.
    pub line: usize,
}

/// A state of the lowered machine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LState {
    /// `Unresumed`, `Suspend0`, ...
    pub name: String,
    /// Line of the `.await`, for suspension states.
    pub awaitee_line: Option<usize>,
    /// Saved locals moved into the awaitee (an `async move` block) because the call borrows them.
    pub wraps: Vec<String>,
    /// Whether the awaitee is such a block (also when `wraps` is empty).
    pub wrapped: bool,
    /// What it holds besides the awaitee.
    pub saved: Vec<Saved>,
}

impl LState {
    /// The saved value stored in field `field`.
    pub fn by_field(&self, field: &str) -> Option<&Saved> {
        self.saved.iter().find(|s| s.field == field)
    }
}

/// One lowered fn.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lowering {
    /// As the macro names it (`fetch`, or `Type::fetch`).
    pub fn_name: String,
    /// Line of the `fn` keyword.
    pub line: usize,
    /// In rustc's variant order.
    pub states: Vec<LState>,
}

impl Lowering {
    /// Reads the macro's JSON ([`awaitgraph_core::model::StateGraph::to_json`]).
    pub fn from_json(v: &Value) -> Option<Lowering> {
        let num = |v: &Value| v.as_u64().map(|n| n as usize);
        let states = v["states"]
            .as_array()?
            .iter()
            .map(|s| {
                Some(LState {
                    name: s["name"].as_str()?.to_string(),
                    awaitee_line: num(&s["awaitee"]["line"]),
                    wrapped: s["awaitee"]["wrapped"].as_bool().unwrap_or(false)
                        || s["awaitee"]["wraps"]
                            .as_array()
                            .is_some_and(|w| !w.is_empty()),
                    wraps: s["awaitee"]["wraps"]
                        .as_array()
                        .map(|w| {
                            w.iter()
                                .filter_map(|x| x.as_str().map(str::to_string))
                                .collect()
                        })
                        .unwrap_or_default(),
                    saved: s["saved"]
                        .as_array()?
                        .iter()
                        .map(|l| {
                            Some(Saved {
                                name: l["name"].as_str()?.to_string(),
                                field: l["field"].as_str()?.to_string(),
                                origin: l["origin"].as_str().unwrap_or("local").to_string(),
                                line: num(&l["line"]).unwrap_or(0),
                            })
                        })
                        .collect::<Option<Vec<_>>>()?,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Lowering {
            fn_name: v["fn"].as_str()?.to_string(),
            line: num(&v["line"]).unwrap_or(0),
            states,
        })
    }

    /// The state named `name`.
    pub fn state(&self, name: &str) -> Option<&LState> {
        self.states.iter().find(|s| s.name == name)
    }

    /// Number of `SuspendN` states.
    pub fn suspend_count(&self) -> usize {
        self.states
            .iter()
            .filter(|s| rustc_layout::is_suspend_name(&s.name))
            .count()
    }
}

/// Every `*.states.json` under `dir` (one level of crate directories), in a stable order.
/// Unreadable or malformed files are skipped: the comparison then falls back to names.
pub fn read_dir(dir: &Path) -> Vec<Lowering> {
    let mut files: Vec<PathBuf> = Vec::new();
    for crate_dir in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        for f in std::fs::read_dir(crate_dir.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let p = f.path();
            if p.to_string_lossy().ends_with(".states.json") {
                files.push(p);
            }
        }
    }
    files.sort();
    files
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .filter_map(|t| serde_json::from_str::<Value>(&t).ok())
        .filter_map(|v| Lowering::from_json(&v))
        .collect()
}

/// The last segment of a fn path without generics: `m::S::f<u8>` -> `f`.
fn last_segment(path: &str) -> String {
    let p = rustc_layout::strip_generics(path);
    p.rsplit("::").next().unwrap_or(&p).to_string()
}

/// The lowering of the fn rustc prints as `path` (with `n_suspend` suspension states): among the
/// lowerings of a fn of that name, the one whose declaration and await lines agree best with the
/// source spans of rustc's saved locals (`mir`). Fns generated by `macro_rules!` share a name and
/// a `fn` line; their bodies' lines tell them apart.
pub fn pick<'a>(
    lowerings: &'a [Lowering],
    path: &str,
    mir: Option<&CoroutineMir>,
    n_suspend: usize,
) -> Option<&'a Lowering> {
    let name = last_segment(path);
    let score = |l: &Lowering| -> usize {
        let mut score = 0;
        if l.suspend_count() == n_suspend {
            score += 1000;
        }
        let Some(mir) = mir else {
            return score;
        };
        for s in &mir.saved {
            let Some(span) = &s.span else { continue };
            let (from, to) = (
                span.line as usize,
                span.end_line.unwrap_or(span.line) as usize,
            );
            if l.states
                .iter()
                .any(|st| st.awaitee_line.is_some_and(|a| a >= from && a <= to))
            {
                score += 10;
            }
            if l.states
                .iter()
                .any(|st| st.saved.iter().any(|x| x.line == from))
            {
                score += 1;
            }
        }
        score
    };
    lowerings
        .iter()
        .filter(|l| last_segment(&l.fn_name) == name)
        .max_by_key(|l| score(l))
}

/// Source text at rustc's spans, read from the workspace (paths in spans are relative to it).
pub struct Sources {
    root: Option<PathBuf>,
    files: RefCell<BTreeMap<String, Option<Vec<String>>>>,
}

impl Sources {
    /// Sources under `root` (the workspace root); `None` shows no snippets.
    pub fn new(root: Option<PathBuf>) -> Self {
        Sources {
            root,
            files: RefCell::new(BTreeMap::new()),
        }
    }

    /// The text of a one-line span, whitespace collapsed, at most 40 characters; `None` when the
    /// file cannot be read or the span covers several lines.
    pub fn snippet(&self, span: &SourceSpan) -> Option<String> {
        let root = self.root.as_ref()?;
        if span.end_line.is_some_and(|l| l != span.line) {
            return None;
        }
        let mut files = self.files.borrow_mut();
        let lines = files.entry(span.file.clone()).or_insert_with(|| {
            let p = Path::new(&span.file);
            let p = if p.is_absolute() {
                p.to_path_buf()
            } else {
                root.join(p)
            };
            std::fs::read_to_string(p)
                .ok()
                .map(|t| t.lines().map(str::to_string).collect())
        });
        let line = lines.as_ref()?.get((span.line as usize).checked_sub(1)?)?;
        let from = (span.col as usize).checked_sub(1)?;
        let to = span
            .end_col
            .map_or(line.chars().count(), |c| (c as usize).saturating_sub(1));
        let text: String = line
            .chars()
            .skip(from)
            .take(to.saturating_sub(from))
            .collect();
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if text.is_empty() {
            return None;
        }
        Some(if text.chars().count() > 40 {
            format!("{}…", text.chars().take(39).collect::<String>())
        } else {
            text
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lowering(name: &str, json: &str) -> Lowering {
        let mut l = Lowering::from_json(&serde_json::from_str(json).unwrap()).unwrap();
        l.fn_name = name.into();
        l
    }

    const TWO: &str = r#"{"fn":"lowered","signature":"","line":27,"states":[
        {"name":"Unresumed","kind":"unresumed","index":null,"awaitee":null,"saved":[
            {"name":"x","field":"x","type":"u32","origin":"argument","line":27}]},
        {"name":"Returned","kind":"returned","index":null,"awaitee":null,"saved":[]},
        {"name":"Panicked","kind":"panicked","index":null,"awaitee":null,"saved":[]},
        {"name":"Suspend0","kind":"suspend","index":0,
         "awaitee":{"expr":"f(&mut buf)","line":12,"column":8,"wraps":["buf"]},"saved":[
            {"name":"x","field":"__shadowed_x_0","type":null,"origin":"local","line":11}]}],
        "transitions":[]}"#;

    #[test]
    fn reads_the_macro_json_and_picks_by_lines() {
        let a = lowering("lowered", TWO);
        assert_eq!(a.suspend_count(), 1);
        let s0 = a.state("Suspend0").unwrap();
        assert_eq!(s0.wraps, ["buf"]);
        assert_eq!(s0.by_field("__shadowed_x_0").unwrap().name, "x");
        assert_eq!(s0.by_field("__shadowed_x_0").unwrap().line, 11);
        let b = lowering("lowered", &TWO.replace("\"line\":12", "\"line\":40"));
        let other = lowering("other", TWO);
        let all = [other, b, a.clone()];
        let mir = rustc_layout::parse_coroutine_mir(
            "// MIR for `m::lowered::{closure#0}` 0 coroutine_resume\n\
             /* coroutine_layout = CoroutineLayout {\n    field_tys: {\n\
             _s0: CoroutineSavedTy {\n ty: u8,\n source_info: SourceInfo {\n\
             span: tests/cases.rs:12:5: 12:20 (#7),\n scope: scope[0],\n },\n\
             ignore_for_traits: false,\n },\n },\n} */\n",
        );
        assert_eq!(mir.as_ref().unwrap().saved.len(), 1);
        assert_eq!(pick(&all, "m::lowered", mir.as_ref(), 1), Some(&a));
        assert_eq!(pick(&all, "m::nope", mir.as_ref(), 1), None);
        assert!(Lowering::from_json(&serde_json::json!({"fn": "f"})).is_none());
    }

    #[test]
    fn snippets_from_spans() {
        let dir = std::env::temp_dir().join(format!("awaitgraph-snippets-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::write(
            dir.join("src/lib.rs"),
            "fn f() {\n    let s = format!(\"{}\", name);\n}\n",
        )
        .unwrap();
        let s = Sources::new(Some(dir));
        let span = SourceSpan::parse("src/lib.rs:2:27: 2:31").unwrap();
        assert_eq!(s.snippet(&span).as_deref(), Some("name"));
        assert_eq!(
            s.snippet(&SourceSpan::parse("src/lib.rs:2:5: 3:1").unwrap()),
            None
        );
        assert_eq!(
            s.snippet(&SourceSpan::parse("src/nope.rs:2:5: 2:6").unwrap()),
            None
        );
        assert_eq!(
            s.snippet(&SourceSpan::parse("src/lib.rs:99:5: 99:6").unwrap()),
            None
        );
        let _ = std::fs::remove_dir_all(s.root.as_ref().unwrap());
    }
}
