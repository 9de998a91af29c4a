//! Hand-built state graphs of realistic `async fn`s, shaped the way the lowering builds them:
//! rustc's variant order (Unresumed, Returned, Panicked, Suspend0..N), a `Pending` self loop and
//! an unwind edge on every suspension state, `Returned` polled again panics.

#![allow(dead_code)]

use awaitgraph_core::model::{
    Awaitee, SavedLocal, SavedOrigin, State, StateGraph, StateKind, Transition, TransitionKind,
};
use petgraph::graph::NodeIndex;

/// Builds a `StateGraph` state by state.
pub struct Builder {
    g: StateGraph,
    pub unresumed: NodeIndex,
    pub returned: NodeIndex,
    pub panicked: NodeIndex,
    suspends: usize,
}

/// A saved local.
pub fn local(name: &str, ty: Option<&str>, origin: SavedOrigin, line: usize) -> SavedLocal {
    SavedLocal {
        name: name.to_string(),
        field: format!("__{name}"),
        ty: ty.map(str::to_string),
        origin,
        line,
        init: None,
    }
}

/// A saved `let` local with its initializer.
pub fn let_local(name: &str, ty: Option<&str>, init: &str, line: usize) -> SavedLocal {
    SavedLocal {
        init: Some(init.to_string()),
        ..local(name, ty, SavedOrigin::Local, line)
    }
}

/// A parameter held by a suspension state.
pub fn param(name: &str, ty: &str, line: usize) -> SavedLocal {
    local(name, Some(ty), SavedOrigin::Local, line)
}

/// A hidden temporary.
pub fn temp(name: &str, line: usize) -> SavedLocal {
    local(name, None, SavedOrigin::Temporary, line)
}

fn state(name: &str, kind: StateKind) -> State {
    State {
        name: name.to_string(),
        kind,
        awaitee: None,
        saved: Vec::new(),
    }
}

impl Builder {
    /// `Unresumed` holding `args` (name, type), then `Returned` and `Panicked`.
    pub fn new(name: &str, signature: &str, line: usize, args: &[(&str, &str)]) -> Builder {
        let mut g = StateGraph::new(name, signature, line);
        let mut unresumed = state("Unresumed", StateKind::Unresumed);
        unresumed.saved = args
            .iter()
            .map(|(n, t)| local(n, Some(t), SavedOrigin::Argument, line))
            .collect();
        let unresumed = g.graph.add_node(unresumed);
        let returned = g.graph.add_node(state("Returned", StateKind::Returned));
        let panicked = g.graph.add_node(state("Panicked", StateKind::Panicked));
        Builder {
            g,
            unresumed,
            returned,
            panicked,
            suspends: 0,
        }
    }

    /// The next `SuspendN`, awaiting `expr` at `line`, holding `saved` (drop order), with the
    /// awaitee wrapping `wraps`; adds its `Pending` self loop and its unwind edge.
    pub fn suspend(
        &mut self,
        expr: &str,
        line: usize,
        saved: Vec<SavedLocal>,
        wraps: &[&str],
    ) -> NodeIndex {
        let n = self.suspends;
        self.suspends += 1;
        let mut s = state(&format!("Suspend{n}"), StateKind::Suspend(n));
        s.awaitee = Some(Awaitee {
            expr: expr.to_string(),
            line,
            column: 8,
            wraps: wraps.iter().map(|w| w.to_string()).collect(),
            wrapped: !wraps.is_empty(),
        });
        s.saved = saved;
        let i = self.g.graph.add_node(s);
        self.edge(i, i, TransitionKind::Pending, "Pending");
        i
    }

    /// A transition.
    pub fn edge(&mut self, from: NodeIndex, to: NodeIndex, kind: TransitionKind, label: &str) {
        self.g.graph.add_edge(
            from,
            to,
            Transition {
                kind,
                label: label.to_string(),
            },
        );
    }

    /// Adds the unwind edges of `Unresumed` and every suspension state, and polling `Returned`
    /// again.
    pub fn finish(mut self) -> StateGraph {
        let body: Vec<NodeIndex> = self
            .g
            .graph
            .node_indices()
            .filter(|&i| {
                matches!(
                    self.g.graph[i].kind,
                    StateKind::Unresumed | StateKind::Suspend(_)
                )
            })
            .collect();
        for i in body {
            self.edge(i, self.panicked, TransitionKind::Unwind, "panic");
        }
        self.edge(
            self.returned,
            self.panicked,
            TransitionKind::PollAfterCompletion,
            "polled again",
        );
        self.g
    }
}

use TransitionKind::{EarlyReturn, FirstPoll, Ready};

/// `async fn fetch_user(id: u32) -> Result<User, Error>`: connect, then query.
pub fn sequential() -> StateGraph {
    let mut b = Builder::new(
        "fetch_user",
        "async fn fetch_user(id: u32) -> Result<User, Error>",
        10,
        &[("id", "u32")],
    );
    let s0 = b.suspend("connect(ADDR)", 11, vec![param("id", "u32", 10)], &[]);
    let s1 = b.suspend(
        "conn.query(id)",
        12,
        vec![let_local("conn", None, "connect(ADDR).await", 11)],
        &["conn"],
    );
    b.edge(b.unresumed, s0, FirstPoll, "first poll");
    b.edge(s0, s1, Ready, "Ready");
    b.edge(s1, b.returned, Ready, "Ready · return");
    b.finish()
}

/// `?` after the first await returns early.
pub fn question_mark() -> StateGraph {
    let mut b = Builder::new(
        "load_config",
        "async fn load_config(path: PathBuf) -> io::Result<Config>",
        20,
        &[("path", "PathBuf")],
    );
    let s0 = b.suspend(
        "fs::read_to_string(&path)",
        21,
        vec![param("path", "PathBuf", 20)],
        &["path"],
    );
    let s1 = b.suspend(
        "validate(&text)",
        22,
        vec![let_local(
            "text",
            Some("String"),
            "fs::read_to_string(&path).await?",
            21,
        )],
        &["text"],
    );
    b.edge(b.unresumed, s0, FirstPoll, "first poll");
    b.edge(s0, s1, Ready, "Ready · Ok");
    b.edge(s0, b.returned, EarlyReturn, "Ready · ? Err → return");
    b.edge(s1, b.returned, Ready, "Ready · return");
    b.finish()
}

/// A buffer borrowed by the awaited call: moved into the awaitee.
pub fn borrowed_buffer() -> StateGraph {
    let mut b = Builder::new(
        "copy_chunk",
        "async fn copy_chunk(src: &mut File, dst: &mut File) -> io::Result<usize>",
        30,
        &[("src", "&mut File"), ("dst", "&mut File")],
    );
    let s0 = b.suspend(
        "src.read(&mut buf)",
        32,
        vec![
            let_local("buf", Some("[u8; 4096]"), "[0; 4096]", 31),
            param("dst", "&mut File", 30),
            param("src", "&mut File", 30),
        ],
        &["buf", "src"],
    );
    let s1 = b.suspend(
        "dst.write_all(&buf[..n])",
        33,
        vec![
            let_local("n", None, "src.read(&mut buf).await?", 32),
            let_local("buf", Some("[u8; 4096]"), "[0; 4096]", 31),
            param("dst", "&mut File", 30),
        ],
        &["buf", "dst"],
    );
    b.edge(b.unresumed, s0, FirstPoll, "first poll");
    b.edge(s0, s1, Ready, "Ready · Ok(n)");
    b.edge(s0, b.returned, EarlyReturn, "? Err → return");
    b.edge(s1, b.returned, Ready, "Ready · Ok(n)");
    b.finish()
}

/// Ten awaits in a row.
pub fn ten_awaits() -> StateGraph {
    let mut b = Builder::new(
        "pipeline",
        "async fn pipeline(input: Vec<u8>) -> Vec<u8>",
        40,
        &[("input", "Vec<u8>")],
    );
    let mut prev = b.unresumed;
    for k in 0..10 {
        let mut saved = vec![let_local(
            &format!("stage{k}"),
            Some("Vec<u8>"),
            &format!("step{k}(input).await"),
            41 + k,
        )];
        if k == 0 {
            saved = vec![param("input", "Vec<u8>", 40)];
        }
        if k >= 3 {
            saved.push(let_local("stats", Some("Stats"), "Stats::default()", 43));
        }
        let s = b.suspend(&format!("step{k}(stage)"), 41 + k, saved, &[]);
        let (kind, label) = if k == 0 {
            (FirstPoll, "first poll")
        } else {
            (Ready, "Ready")
        };
        b.edge(prev, s, kind, label);
        prev = s;
    }
    b.edge(prev, b.returned, Ready, "Ready · return");
    b.finish()
}

/// Many saved locals, among them a `MutexGuard`, a `RefMut` and an `Rc` held across an await.
pub fn guards() -> StateGraph {
    let mut b = Builder::new(
        "Cache::refresh",
        "async fn refresh(&self, key: &str) -> usize",
        50,
        &[("self", "&Cache"), ("key", "&str")],
    );
    let s0 = b.suspend(
        "self.backend.get(key)",
        55,
        vec![
            let_local("shared", Some("Rc<State>"), "self.state.clone()", 54),
            let_local("counter", None, "self.hits.borrow_mut()", 53),
            let_local(
                "guard",
                Some("MutexGuard<'_, Vec<String>>"),
                "self.log.lock().unwrap()",
                52,
            ),
            let_local("started", Some("Instant"), "Instant::now()", 51),
            param("key", "&str", 50),
            param("self", "&Cache", 50),
        ],
        &[],
    );
    let s1 = b.suspend(
        "self.store(key, &value)",
        57,
        vec![
            let_local("value", None, "self.backend.get(key).await", 55),
            let_local(
                "view",
                Some("std::cell::Ref<'_, Index>"),
                "self.index.borrow()",
                56,
            ),
            let_local("shared", Some("Rc<State>"), "self.state.clone()", 54),
            let_local("started", Some("Instant"), "Instant::now()", 51),
            param("key", "&str", 50),
            param("self", "&Cache", 50),
        ],
        &["value"],
    );
    b.edge(b.unresumed, s0, FirstPoll, "first poll");
    b.edge(s0, s1, Ready, "Ready");
    b.edge(s1, b.returned, Ready, "Ready · return");
    b.finish()
}

/// No await at all.
pub fn no_await() -> StateGraph {
    let mut b = Builder::new("answer", "async fn answer() -> u32", 60, &[]);
    b.edge(b.unresumed, b.returned, FirstPoll, "first poll · return");
    b.finish()
}

/// `if` with an await in each branch.
pub fn branches() -> StateGraph {
    let mut b = Builder::new(
        "pick",
        "async fn pick(fast: bool, id: u64) -> Item",
        70,
        &[("fast", "bool"), ("id", "u64")],
    );
    let s0 = b.suspend("cache.get(id)", 72, vec![param("id", "u64", 70)], &[]);
    let s1 = b.suspend("db.load(id)", 74, vec![param("id", "u64", 70)], &[]);
    let s2 = b.suspend(
        "audit(&item)",
        76,
        vec![let_local(
            "item",
            Some("Item"),
            "if fast { .. } else { .. }",
            71,
        )],
        &["item"],
    );
    b.edge(b.unresumed, s0, FirstPoll, "first poll · if fast");
    b.edge(b.unresumed, s1, FirstPoll, "first poll · else");
    b.edge(s0, s2, Ready, "Ready");
    b.edge(s1, s2, Ready, "Ready");
    b.edge(s2, b.returned, Ready, "Ready · return");
    b.finish()
}

/// A `for` loop over an iterator with one await in the body.
pub fn for_loop() -> StateGraph {
    let mut b = Builder::new(
        "fetch_all",
        "async fn fetch_all(urls: Vec<Url>) -> Vec<Page>",
        80,
        &[("urls", "Vec<Url>")],
    );
    let s0 = b.suspend(
        "fetch(url)",
        83,
        vec![
            temp("__iter0", 82),
            let_local("pages", Some("Vec<Page>"), "Vec::new()", 81),
        ],
        &[],
    );
    b.edge(b.unresumed, s0, FirstPoll, "first poll · loop");
    b.edge(s0, s0, Ready, "Ready · next url");
    b.edge(b.unresumed, b.returned, FirstPoll, "first poll · no urls");
    b.edge(s0, b.returned, Ready, "Ready · loop ends");
    b.finish()
}

/// A `loop` with two awaits and a `break`: a back edge from Suspend1 to Suspend0.
pub fn retry_loop() -> StateGraph {
    let mut b = Builder::new(
        "with_retry",
        "async fn with_retry(req: Request) -> Result<Response, Error>",
        90,
        &[("req", "Request")],
    );
    let s0 = b.suspend(
        "send(req.clone())",
        93,
        vec![
            let_local("attempt", Some("u32"), "0", 91),
            param("req", "Request", 90),
        ],
        &[],
    );
    let s1 = b.suspend(
        "sleep(backoff(attempt))",
        97,
        vec![
            let_local("attempt", Some("u32"), "0", 91),
            param("req", "Request", 90),
        ],
        &[],
    );
    b.edge(b.unresumed, s0, FirstPoll, "first poll · loop");
    b.edge(s0, b.returned, Ready, "Ready · Ok → break");
    b.edge(s0, s1, Ready, "Ready · Err, attempt < 5");
    b.edge(s0, b.returned, EarlyReturn, "Ready · Err → return");
    b.edge(s1, s0, Ready, "Ready · loop");
    b.finish()
}

/// `match` on an awaited value with an early `return` in one arm.
pub fn match_arms() -> StateGraph {
    let mut b = Builder::new(
        "handle",
        "async fn handle(msg: Message) -> Reply",
        100,
        &[("msg", "Message")],
    );
    let s0 = b.suspend("decode(msg)", 101, vec![], &[]);
    let s1 = b.suspend(
        "store.put(key, value)",
        104,
        vec![temp("__match0", 102)],
        &[],
    );
    let s2 = b.suspend("store.get(key)", 107, vec![temp("__match0", 102)], &[]);
    b.edge(b.unresumed, s0, FirstPoll, "first poll");
    b.edge(s0, s1, Ready, "match arm Put { key, value }");
    b.edge(s0, s2, Ready, "match arm Get { key }");
    b.edge(s0, b.returned, EarlyReturn, "match arm Ping → return");
    b.edge(s1, b.returned, Ready, "Ready");
    b.edge(s2, b.returned, Ready, "Ready");
    b.finish()
}

/// A method borrowing `self` across the await, with text that needs escaping everywhere.
pub fn escaping() -> StateGraph {
    let mut b = Builder::new(
        "Conn<'a>::send",
        "async fn send(&mut self, data: &[u8], f: impl Fn(&str) -> bool) -> Result<(), \"err\">",
        110,
        &[
            ("self", "&mut Conn<'a>"),
            ("data", "&[u8]"),
            ("f", "impl Fn(&str) -> bool"),
        ],
    );
    let s0 = b.suspend(
        "self.io.write(data).map(|n| n > 0 && f(\"a|b\\\\c\"))",
        111,
        vec![param("f", "impl Fn(&str) -> bool", 110), temp("__e0", 111)],
        &["self"],
    );
    b.edge(b.unresumed, s0, FirstPoll, "first poll");
    b.edge(s0, b.returned, Ready, "Ready · \"done\" <ok>");
    b.finish()
}

/// Every fixture, by name.
pub fn all() -> Vec<(&'static str, StateGraph)> {
    vec![
        ("sequential", sequential()),
        ("question_mark", question_mark()),
        ("borrowed_buffer", borrowed_buffer()),
        ("ten_awaits", ten_awaits()),
        ("guards", guards()),
        ("no_await", no_await()),
        ("branches", branches()),
        ("for_loop", for_loop()),
        ("retry_loop", retry_loop()),
        ("match_arms", match_arms()),
        ("escaping", escaping()),
    ]
}
