// The program generator behind tests/tests/generated.rs, run by tests/build.rs.
//
// It writes random async fn bodies from a small grammar, each as a `case!` for the
// equivalence harness (native fn and its `#[awaitgraph::state_machine]` lowering compared).
// Every program must be valid Rust for the native fn, so the grammar keeps the types simple
// (values are `u64` or `Noisy`; fns return `u64`, `Option<u64>` or `Result<u64, SmallError>`)
// and the generator tracks which locals are visible, live (not moved) and shadowed.
//
// Helpers the programs call live in tests/tests/support/mod.rs (`add3`, `sum_pair`, `helper`,
// `helper_len`, `helper_opt`, `helper_res`).

/// Whether to generate awaits inside `if`/`match`/loops by default (`AWAITGRAPH_GEN_CONTROL_FLOW=0`
/// leaves them out for one build).
pub const DEFAULT_CONTROL_FLOW: bool = true;

/// Whether to keep out of the grammar the shapes that hit lowering bugs recorded in
/// tests/cases.rs (`gen_bug_*`). All are fixed, so the default run generates them;
/// `AWAITGRAPH_GEN_KNOWN_BUGS=0` leaves them out again (to tell a new bug from an old one):
/// - blocks used as operands (only as `let` initialisers, statements and tails), which also
///   puts loops' `continue`/`break` inside awaitees' arguments;
/// - awaitees the lowering wraps in an `async move` block (they borrow: `helper_len(&n)`,
///   `n.len()` or `format!(..)` in an awaitee's arguments), mixed with multi-await statements;
/// - `?` inside `format!` arguments, and `format!` inside an awaitee's arguments;
/// - `Noisy::new(..)` temporaries (in conditions, awaitee arguments, `format!` arguments);
/// - unparenthesised `x.await? + y` as a `let` initialiser;
/// - `let x = ..` without a type where the initialiser nests awaits (written `let x: u64`).
pub const DEFAULT_AVOID_KNOWN_BUGS: bool = false;

/// How deep expressions and statement blocks nest.
const MAX_DEPTH: usize = 5;

/// splitmix64: small, fast, good enough to explore a grammar.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
    /// True with probability `pct` percent.
    pub fn chance(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Ty {
    U64,
    Noisy,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Ret {
    U64,
    Opt,
    Res,
}

#[derive(Debug)]
struct Binding {
    name: String,
    ty: Ty,
    /// Not moved yet.
    live: bool,
    /// `let mut`: may be the place of `+=`.
    mutable: bool,
    /// The control-flow nesting (branch or loop body) it was declared in: a local may only be
    /// moved at its own level (a move in a branch or a loop body would leave it maybe-moved).
    ctl: usize,
    /// Loop counters and guard bindings are never shadowed (the loop head reads them).
    shadowable: bool,
}

struct Loop {
    label: String,
    /// `loop` (break carries a value) rather than `while`/`for`.
    valued: bool,
    /// The counter incremented at the top of each iteration (for `loop`s: bounds `continue`).
    counter: Option<String>,
    /// A labelled block `'bK: { .. }`: only `break 'bK (v)` leaves it.
    block: bool,
    /// `Gen::ctl` where it starts: the locals declared outside it have a `ctl` at most this.
    ctl: usize,
}

impl Loop {
    /// A loop (not a labelled block).
    fn of(label: &str, valued: bool, counter: Option<&str>) -> Loop {
        Loop {
            label: label.to_string(),
            valued,
            counter: counter.map(str::to_string),
            block: false,
            ctl: 0,
        }
    }
}

struct Gen {
    rng: Rng,
    ret: Ret,
    control_flow: bool,
    vars: Vec<Binding>,
    ctl: usize,
    ids: usize,
    loops: Vec<Loop>,
    /// The `ctl` depth at the start of each enclosing loop's body, labelled block or let chain
    /// (a local declared outside the innermost loop may not be moved inside it: moved in a
    /// previous iteration; nor outside a labelled block or let chain: moved on some of its
    /// paths, the lowering drops it where it leaves, README).
    loop_ctl: Vec<usize>,
    /// Inside `format!` arguments, which borrow each other: no `+=` there.
    in_format: usize,
    avoid_bugs: bool,
    /// Inside the arguments of an awaited call.
    in_awaitee: usize,
    /// The expression being generated is a statement's or block's whole value.
    top: bool,
    /// Inside a `while` condition: a `break`/`continue` without a label there is E0590.
    in_while_cond: usize,
    /// Inside a `select!` handler: its jumps move nothing (a branch moving a local of the fn
    /// that is not `Copy` is refused).
    in_select: usize,
    /// Inside a `select!` handler: the locals declared before it (below this index) are not
    /// moved there.
    select_floor: usize,
    /// Inside the `else` block of a `let .. else`: without awaits, it is verbatim code, where
    /// liveness takes the statuses at a `break` from before the statement (a move before it
    /// is not seen: E0382 in the lowered fn, a known limit).
    in_let_else: usize,
    /// For a crate of edition 2021: no let chains (2024 syntax), and a block's tail that is
    /// itself a block, `if let` or `match` is bound to a local first (`let tK = ..; tK`): as the
    /// tail of a body with locals resumed after an await, such a construct with awaits whose
    /// scrutinee holds temporaries is refused before 2024 (README).
    edition_2021: bool,
}

/// Generates `count` programs, the whole `cases! { .. }` file.
/// Several batches in one file: `(count, control_flow)` each; programs are numbered across
/// batches, so names do not clash and each program depends only on the seed and its number.
pub fn generate_batches(seed: u64, batches: &[(usize, bool)], options: Options) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "// Generated by tests/build.rs (tests/generator.rs): seed {seed}, batches (count, control_flow) {batches:?}, {options:?}.\n"
    ));
    out.push_str("cases! {\n");
    let mut k = 0;
    for &(count, control_flow) in batches {
        for _ in 0..count {
            out.push_str(&generate_case(seed, k, control_flow, options));
            k += 1;
        }
    }
    out.push_str("}\n");
    out
}

/// What every program of a run leaves out or changes.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Leave out the shapes of the lowering bugs found so far (`DEFAULT_AVOID_KNOWN_BUGS`).
    pub avoid_bugs: bool,
    /// For a crate of edition 2021 (`Gen::edition_2021`).
    pub edition_2021: bool,
}

/// Program `k` of `seed`: depends only on both, so one program can be regenerated alone.
pub fn generate_case(seed: u64, k: usize, control_flow: bool, options: Options) -> String {
    let mut mix = Rng::new(seed ^ (k as u64).wrapping_mul(0xA24B_AED4_963E_E407));
    // A program larger than this is drawn again (from the same stream, so still determined by
    // the seed and its number): rustc's time on the lowered fn grows faster than its size, and
    // the few largest programs took most of the suite's time.
    for _ in 0..MAX_DRAWS {
        let program = draw_case(&mut mix, seed, k, control_flow, options);
        if program.len() <= MAX_PROGRAM_BYTES {
            return program;
        }
    }
    draw_case(&mut mix, seed, k, false, options)
}

/// The size above which a program is drawn again, and how many times.
const MAX_PROGRAM_BYTES: usize = 8_000;
const MAX_DRAWS: usize = 20;

fn draw_case(mix: &mut Rng, seed: u64, k: usize, control_flow: bool, options: Options) -> String {
    let mut g = Gen {
        rng: Rng::new(mix.next_u64()),
        ret: Ret::U64,
        control_flow,
        vars: Vec::new(),
        ctl: 0,
        ids: 0,
        loops: Vec::new(),
        loop_ctl: Vec::new(),
        in_format: 0,
        avoid_bugs: options.avoid_bugs,
        in_awaitee: 0,
        top: false,
        in_while_cond: 0,
        in_select: 0,
        select_floor: 0,
        in_let_else: 0,
        edition_2021: options.edition_2021,
    };
    g.ret = match g.rng.below(3) {
        0 => Ret::U64,
        1 => Ret::Opt,
        _ => Ret::Res,
    };
    let ret = match g.ret {
        Ret::U64 => "u64",
        Ret::Opt => "Option<u64>",
        Ret::Res => "Result<u64, SmallError>",
    };
    let n = 2 + g.rng.below(7) as usize;
    let mut body = String::new();
    for _ in 0..n {
        body.push_str("        ");
        body.push_str(&g.stmt(0));
        body.push('\n');
    }
    let mut tail = g.expr_top(1);
    // Edition 2021: a labelled block with awaits as the tail of the body (which has locals) is
    // refused when its own tail holds temporaries; bound to a local first, as `scoped_tail` does.
    if g.edition_2021 && tail.starts_with('\'') {
        let k = g.id();
        body.push_str(&format!("        let t{k} = {tail};\n"));
        tail = format!("t{k}");
    }
    body.push_str(&format!("        {}\n", g.wrap(&tail)));
    format!(
        "// seed {seed}, program {k}\ncase! {{\n    name: gen_{k},\n    async fn () -> {ret} {{\n{body}    }}\n    call: ()\n}}\n"
    )
}

impl Gen {
    fn id(&mut self) -> usize {
        self.ids += 1;
        self.ids
    }

    fn wrap(&self, e: &str) -> String {
        match self.ret {
            Ret::U64 => e.to_string(),
            Ret::Opt => format!("Some({e})"),
            Ret::Res => format!("Ok({e})"),
        }
    }

    /// Indices of the visible (latest of their name), live bindings of type `ty`.
    fn usable(&self, ty: Ty) -> Vec<usize> {
        let mut seen: Vec<&str> = Vec::new();
        let mut out = Vec::new();
        for (i, b) in self.vars.iter().enumerate().rev() {
            if seen.contains(&b.name.as_str()) {
                continue;
            }
            seen.push(&b.name);
            if b.live && b.ty == ty {
                out.push(i);
            }
        }
        out
    }

    fn pick(&mut self, ty: Ty) -> Option<usize> {
        let u = self.usable(ty);
        if u.is_empty() {
            None
        } else {
            Some(u[self.rng.below(u.len() as u64) as usize])
        }
    }

    /// A Noisy local declared outside the branch being written (not outside the innermost
    /// loop), moved here: on some paths only (the lowering carries it past the join as an
    /// `Option`, its drop flag). Half of the moves are followed by an await, so the branch is
    /// one with awaits; the others may be in a branch without awaits (the lowering writes that
    /// `if`/`match` as a construct with jumps when a later await would keep the local).
    fn pick_outer_movable(&mut self) -> Option<usize> {
        // Declared inside the innermost loop's body (deeper than the loop itself).
        let inside = |c: usize| self.loop_ctl.last().is_none_or(|&l| c > l);
        let u: Vec<usize> = self
            .usable(Ty::Noisy)
            .into_iter()
            .filter(|&i| {
                self.vars[i].ctl < self.ctl && inside(self.vars[i].ctl) && i >= self.select_floor
            })
            .collect();
        // A loop's condition runs again each round: no move there of what it did not declare.
        if u.is_empty() || self.in_awaitee > 0 || self.in_format > 0 || self.in_while_cond > 0 {
            None
        } else {
            Some(u[self.rng.below(u.len() as u64) as usize])
        }
    }

    /// A Noisy local that a `break` out of `self.loops[i]` may move first: declared outside
    /// it, inside the loop around it (or a next round would move it again).
    fn pick_exit_movable(&mut self, i: usize) -> Option<usize> {
        if self.in_awaitee > 0
            || self.in_format > 0
            || self.in_while_cond > 0
            || self.in_let_else > 0
            || self.in_select > 0
        {
            return None;
        }
        let inner = self.loops[i].ctl;
        let outer = self.loops[..i]
            .iter()
            .rev()
            .find(|l| !l.block)
            .map(|l| l.ctl);
        let u: Vec<usize> = self
            .usable(Ty::Noisy)
            .into_iter()
            .filter(|&v| self.vars[v].ctl <= inner && outer.is_none_or(|o| self.vars[v].ctl > o))
            .collect();
        if u.is_empty() {
            None
        } else {
            Some(u[self.rng.below(u.len() as u64) as usize])
        }
    }

    /// A Noisy local that may be moved here.
    fn pick_movable(&mut self) -> Option<usize> {
        let u: Vec<usize> = self
            .usable(Ty::Noisy)
            .into_iter()
            .filter(|&i| self.vars[i].ctl == self.ctl && i >= self.select_floor)
            .collect();
        if u.is_empty() {
            None
        } else {
            Some(u[self.rng.below(u.len() as u64) as usize])
        }
    }

    /// A name for a new local: sometimes shadows a visible one (of any type).
    fn new_name(&mut self, prefix: &str) -> String {
        if self.rng.chance(25) {
            let names: Vec<String> = self
                .vars
                .iter()
                .filter(|b| b.shadowable)
                .map(|b| b.name.clone())
                .collect();
            if !names.is_empty() {
                return names[self.rng.below(names.len() as u64) as usize].clone();
            }
        }
        let k = self.id();
        format!("{prefix}{k}")
    }

    fn declare(&mut self, name: String, ty: Ty, mutable: bool) {
        self.vars.push(Binding {
            name,
            ty,
            live: true,
            mutable,
            ctl: self.ctl,
            shadowable: true,
        });
    }

    fn declare_fixed(&mut self, name: String) {
        self.vars.push(Binding {
            name,
            ty: Ty::U64,
            live: true,
            mutable: false,
            ctl: self.ctl,
            shadowable: false,
        });
    }

    fn pending(&mut self) -> u64 {
        match self.rng.below(10) {
            0..=2 => 0,
            3..=6 => 1,
            7..=8 => 2,
            _ => 3,
        }
    }

    fn lit(&mut self) -> String {
        format!("{}u64", self.rng.below(20))
    }

    /// An expression without awaits (conditions of early returns, returned values).
    fn simple(&mut self) -> String {
        match self.rng.below(3) {
            0 => {
                if let Some(i) = self.pick(Ty::U64) {
                    return self.vars[i].name.clone();
                }
                self.lit()
            }
            1 if self.avoid_bugs && self.in_awaitee > 0 => self.lit(),
            1 => {
                if let Some(i) = self.pick(Ty::Noisy) {
                    return format!("({}.len() as u64)", self.vars[i].name);
                }
                self.lit()
            }
            _ => self.lit(),
        }
    }

    /// A `u64` expression that is a whole statement's or block's value: may be a block.
    fn expr_top(&mut self, depth: usize) -> String {
        self.top = true;
        self.expr(depth)
    }

    /// A `u64` expression.
    fn expr(&mut self, depth: usize) -> String {
        let top = std::mem::replace(&mut self.top, false);
        if depth >= MAX_DEPTH {
            return match self.rng.below(3) {
                0 => self.lit(),
                1 => self.simple(),
                _ => {
                    let (k, p, v) = (self.id(), self.pending(), self.lit());
                    format!("leaf(\"a{k}\", {p}, {v}).await")
                }
            };
        }
        let d = depth + 1;
        let choices = if self.control_flow { 30 } else { 20 };
        match self.rng.below(choices) {
            0 => self.lit(),
            1 => self.simple(),
            2..=4 => {
                let (k, p) = (self.id(), self.pending());
                let v = if self.rng.chance(30) {
                    self.awaitee_arg(d)
                } else {
                    self.awaitee_simple()
                };
                format!("leaf(\"a{k}\", {p}, {v}).await")
            }
            5 => {
                let (k, p) = (self.id(), self.pending());
                let v = self.awaitee_arg(d);
                format!("helper(\"h{k}\", {p}, {v}).await")
            }
            // A temporary receiver of an awaited method, made by an await: it lives to the end
            // of its statement (handed back by the wrapper unless the statement ends there).
            6 if !self.avoid_bugs && self.rng.chance(25) => {
                let (k, p) = (self.id(), self.pending());
                format!("(leaf(\"t{k}\", {p}, Noisy::new(\"t{k}\")).await.ping().await as u64)")
            }
            6 => match self.pick(Ty::Noisy) {
                // The receiver of the awaited method (taken by a wrapper, handed back when
                // used later, also after a loop around it).
                Some(i) if !self.avoid_bugs && self.rng.chance(50) => {
                    format!("({}.ping().await as u64)", self.vars[i].name)
                }
                Some(i) if !self.avoid_bugs => format!("helper_len(&{}).await", self.vars[i].name),
                _ => self.expr(d),
            },
            7 | 18 if self.avoid_bugs && self.in_format > 0 => self.simple(),
            7 => self.try_expr(d),
            8 => format!("({} + {})", self.expr(d), self.expr(d)),
            9 => format!("({} ^ {})", self.expr(d), self.expr(d)),
            10 => format!("add3({}, {}, {})", self.expr(d), self.expr(d), self.expr(d)),
            11 => format!("u64::max({}, {})", self.expr(d), self.expr(d)),
            12 => format!("sum_pair(({}, {}))", self.expr(d), self.expr(d)),
            13 if self.avoid_bugs && self.in_awaitee > 0 => self.simple(),
            13 => {
                self.in_format += 1;
                let (a, b) = (self.expr(d), self.expr(d));
                self.in_format -= 1;
                // Sometimes an inline argument naming a local (`{x3}`), which may be shadowed
                // and renamed by the lowering.
                match self.pick(Ty::U64) {
                    Some(i) if self.rng.chance(40) => {
                        let x = self.vars[i].name.clone();
                        format!("(format!(\"{{}}-{{{x}}}-{{}}\", {a}, {b}).len() as u64)")
                    }
                    _ => format!("(format!(\"{{}}-{{}}\", {a}, {b}).len() as u64)"),
                }
            }
            14 => {
                let k = self.id();
                match self.rng.below(8) {
                    // An `async` block awaited, and a closure called: types that are new at
                    // each place they are written (the lowering must write them once).
                    0 => {
                        let (p, v) = (self.pending(), self.awaitee_simple());
                        format!(
                            "{{ let b{k} = {v}; (async move {{ leaf(\"b{k}\", {p}, b{k}).await }}).await }}"
                        )
                    }
                    1 => format!("(|x: u64| x ^ {k})({})", self.expr(d)),
                    // Borrowed arrays: of literals (promoted, no temporary), and holding an
                    // operand that may await (a temporary of the statement).
                    2 => format!(
                        "([{k}u64, {}].iter().sum::<u64>() + {})",
                        self.lit(),
                        self.expr(d)
                    ),
                    3 => format!("[{}, {k}u64].iter().sum::<u64>()", self.expr(d)),
                    // `join!` and `select!`, each awaited as one future by the lowering. (A
                    // `select!` is opaque to the renaming of shadowed locals: literals only.)
                    4 if !(self.avoid_bugs && self.in_awaitee > 0) => {
                        let (p1, p2) = (self.pending(), self.pending());
                        let (v1, v2) = (self.awaitee_simple(), self.awaitee_simple());
                        let second = match self.pick(Ty::Noisy) {
                            Some(i) if self.rng.chance(50) => {
                                format!("helper_len(&{})", self.vars[i].name)
                            }
                            _ => format!("helper(\"h{k}\", {p2}, {v2})"),
                        };
                        format!(
                            "{{ let (j{k}a, j{k}b) = awaitgraph::join!(leaf(\"j{k}\", {p1}, {v1}), {second}); j{k}a + j{k}b }}"
                        )
                    }
                    5 if !(self.avoid_bugs && self.in_awaitee > 0) => {
                        let (p1, p2) = (self.pending(), self.pending());
                        let (v1, v2, x) = (self.lit(), self.lit(), self.lit());
                        format!(
                            "tokio::select! {{ biased; v = leaf(\"s{k}\", {p1}, {v1}) => v ^ {x}, v = leaf(\"r{k}\", {p2}, {v2}) => v, }}"
                        )
                    }
                    _ => format!("mark(\"m{k}\", {})", self.expr(d)),
                }
            }
            15 if self.avoid_bugs => self.expr(d),
            15 => {
                // A temporary that rustc keeps to the end of the statement, created before the
                // operand's awaits or after them (the statement's temporaries drop in reverse
                // order of creation).
                let k = self.id();
                if self.rng.chance(30) {
                    format!("({} + Noisy::new(\"t{k}\").len() as u64)", self.expr(d))
                } else {
                    format!("(Noisy::new(\"t{k}\").len() as u64 + {})", self.expr(d))
                }
            }
            16..=17 if self.avoid_bugs && !top => self.expr(d),
            16..=17 => self.block_expr(d),
            18 => self.try_expr(d),
            19 => {
                if self.rng.chance(15) {
                    let (k, at) = (self.id(), self.rng.below(3));
                    format!("panicking_leaf(\"p{k}\", {at}, 1u64).await")
                } else {
                    self.simple()
                }
            }
            20 => self.if_expr(d),
            21 => self.match_expr(d),
            22 => self.loop_expr(d),
            23 => self.while_expr(d),
            24 => self.for_expr(d),
            25 if self.rng.chance(40) => self.for_borrowed_vec_expr(d),
            25 => self.for_vec_expr(d),
            26 => self.while_let_expr(d),
            27 => self.labelled_block_expr(d),
            28 if !self.edition_2021 => self.let_chain_expr(d),
            _ if self.rng.chance(50) => self.if_let_expr(d),
            _ => self.option_match_expr(d),
        }
    }

    fn awaitee_arg(&mut self, d: usize) -> String {
        self.in_awaitee += 1;
        let e = self.expr(d);
        self.in_awaitee -= 1;
        e
    }

    fn awaitee_simple(&mut self) -> String {
        self.in_awaitee += 1;
        let e = self.simple();
        self.in_awaitee -= 1;
        e
    }

    /// `?` on an Option/Result leaf or helper (sometimes failing), or a plain leaf in a `u64` fn.
    fn try_expr(&mut self, d: usize) -> String {
        let (k, p) = (self.id(), self.pending());
        let fail = self.rng.chance(12);
        let helper = self.rng.chance(30);
        let v = if self.rng.chance(30) {
            self.awaitee_arg(d)
        } else {
            self.awaitee_simple()
        };
        match (self.ret, helper, fail) {
            (Ret::U64, _, _) => format!("leaf(\"a{k}\", {p}, {v}).await"),
            (Ret::Opt, false, false) => format!("leaf(\"a{k}\", {p}, Some::<u64>({v})).await?"),
            (Ret::Opt, false, true) => format!("leaf(\"a{k}\", {p}, None::<u64>).await?"),
            (Ret::Opt, true, false) => format!("helper_opt(\"h{k}\", {p}, Some({v})).await?"),
            (Ret::Opt, true, true) => format!("helper_opt(\"h{k}\", {p}, None).await?"),
            (Ret::Res, false, false) => {
                format!("leaf(\"a{k}\", {p}, Ok::<u64, SmallError>({v})).await?")
            }
            (Ret::Res, false, true) => {
                format!("leaf(\"a{k}\", {p}, Err::<u64, SmallError>(SmallError)).await?")
            }
            (Ret::Res, true, false) => format!("helper_res(\"h{k}\", {p}, Ok({v})).await?"),
            (Ret::Res, true, true) => format!("helper_res(\"h{k}\", {p}, Err(SmallError)).await?"),
        }
    }

    /// Statements in a new scope, then `tail()`; the scope's locals are dropped after.
    fn scoped(&mut self, d: usize, stmts: usize, ctl: bool, tail: bool) -> (String, String) {
        self.scoped_tail(d, stmts, ctl, tail, false)
    }

    /// [`Gen::scoped`]; in edition 2021, the tail is bound to a local first when it is a block,
    /// `if let` or `match` (which may end in one with awaits and temporaries in its scrutinee,
    /// refused before 2024), or always with `bind`.
    fn scoped_tail(
        &mut self,
        d: usize,
        stmts: usize,
        ctl: bool,
        tail: bool,
        bind: bool,
    ) -> (String, String) {
        let mark = self.vars.len();
        if ctl {
            self.ctl += 1;
        }
        let mut s = String::new();
        for _ in 0..stmts {
            s.push_str(&self.stmt(d));
            s.push(' ');
        }
        let mut t = if tail {
            self.expr_top(d)
        } else {
            String::new()
        };
        let refusable = ["{", "'", "if let", "match"]
            .iter()
            .any(|p| t.trim_start_matches('(').starts_with(p));
        if self.edition_2021 && tail && (bind || refusable) {
            let k = self.id();
            s.push_str(&format!("let t{k} = {t}; "));
            t = format!("t{k}");
        }
        if ctl {
            self.ctl -= 1;
        }
        // Moves of outer locals inside the scope stay recorded on the outer bindings.
        self.vars.truncate(mark);
        (s, t)
    }

    fn block_expr(&mut self, d: usize) -> String {
        let n = 1 + self.rng.below(3) as usize;
        // As an operand with awaits, a block whose tail holds temporaries is refused before
        // 2024 (they would live to the end of the statement): its tail is always bound.
        let (s, t) = self.scoped_tail(d, n, false, true, true);
        format!("{{ {s}{t} }}")
    }

    /// A condition, with awaits when `awaits`.
    fn cond(&mut self, d: usize, awaits: bool) -> String {
        let e = if awaits { self.expr(d) } else { self.simple() };
        let m = 2 + self.rng.below(3);
        let r = self.rng.below(m);
        let c = format!("({e}) % {m} == {r}");
        if awaits && self.control_flow && self.rng.chance(20) {
            // A lazy `&&`/`||`: the right operand (which may await) runs only when needed.
            let op = if self.rng.chance(50) { "&&" } else { "||" };
            // Runs on some paths only: no moves there (E0382 in the lowered fn, a known limit listed in README.md).
            self.ctl += 1;
            let right = self.cond(d, true);
            self.ctl -= 1;
            return format!("({c} {op} {right})");
        }
        c
    }

    fn if_expr(&mut self, d: usize) -> String {
        let c = self.cond(d, true);
        let n = self.rng.below(3) as usize;
        let (s1, t1) = self.scoped(d, n, true, true);
        let n = self.rng.below(3) as usize;
        let (s2, t2) = self.scoped(d, n, true, true);
        format!("if {c} {{ {s1}{t1} }} else {{ {s2}{t2} }}")
    }

    /// `if let Some(k) = (..).checked_sub(m) { .. } else { .. }`, its scrutinee often holding a
    /// temporary with a destructor: from edition 2024 it lives through the `then` block and
    /// drops before the `else` block.
    fn if_let_expr(&mut self, d: usize) -> String {
        let scrut = self.expr(d);
        let k = self.id();
        let m = self.rng.below(20);
        let bind = format!("k{k}");
        let tmp = if self.rng.chance(50) {
            format!("Noisy::new(\"t{k}\").len() as u64 + ")
        } else {
            String::new()
        };
        // (With a temporary, lowered from 2024 as a let chain of one operand, a labelled block:
        // an outer local moved in a branch is carried past its exits as an `Option`.)
        let ((s1, t1), (s2, t2)) = self.bound_and_plain(d, &bind);
        let then = format!("{{ {s1}{t1} }}");
        let els = format!("{{ {s2}{t2} }}");
        format!("if let Some({bind}) = ({tmp}{scrut}).checked_sub({m}) {then} else {els}")
    }

    /// The two branches of an `if let`-like construct: the first sees `bind`, the second not.
    fn bound_and_plain(&mut self, d: usize, bind: &str) -> ((String, String), (String, String)) {
        let first = self.with_binding(bind, |g| g.branch_scope(d, false));
        (first, self.branch_scope(d, true))
    }

    /// A branch's body: up to two statements and a tail, in a scope of its own (`ctl`: counted
    /// as a control-flow level, see [`Gen::scoped`]).
    fn branch_scope(&mut self, d: usize, ctl: bool) -> (String, String) {
        let n = self.rng.below(3) as usize;
        self.scoped(d, n, ctl, true)
    }

    /// Runs `f` with `bind` (a pattern binding of a branch) visible, never shadowed.
    fn with_binding<T>(&mut self, bind: &str, f: impl FnOnce(&mut Self) -> T) -> T {
        let mark = self.vars.len();
        self.ctl += 1;
        self.declare_fixed(bind.to_string());
        let out = f(self);
        self.ctl -= 1;
        self.vars.truncate(mark);
        out
    }

    /// A `match` on a call's value holding a `Noisy`: `Some((k, _g))` and `Ok(k)` take it all
    /// (the value is dead in that arm); `None` and `Err(_)` leave it, and it lives to the end
    /// of the `match`, across that arm's awaits.
    fn option_match_expr(&mut self, d: usize) -> String {
        let scrut = self.expr(d);
        let k = self.id();
        let bind = format!("k{k}");
        let ((s1, t1), (s2, t2)) = self.bound_and_plain(d, &bind);
        // Sometimes the arm that leaves the value awaits; without, the `match` may be an
        // operand evaluated before a later await of its statement (its scrutinee's value then
        // lives past that await).
        let s2 = if self.rng.chance(50) {
            format!("leaf(\"z{k}\", 1, 0u64).await; {s2}")
        } else {
            s2
        };
        if self.rng.chance(50) {
            // `_g` takes the `Noisy` (every arm takes all of the value), `_` leaves it.
            let rest = if self.rng.chance(50) {
                format!("_g{k}")
            } else {
                "_".to_string()
            };
            format!(
                "match noisy_option({scrut}, \"o{k}\") {{ Some(({bind}, {rest})) => {{ {s1}{t1} }} None => {{ {s2}{t2} }} }}"
            )
        } else {
            format!(
                "match noisy_result({scrut}, \"r{k}\") {{ Ok({bind}) => {{ {s1}{t1} }} Err(_) => {{ {s2}{t2} }} }}"
            )
        }
    }

    fn match_expr(&mut self, d: usize) -> String {
        let scrut = self.expr(d);
        let m = 2 + self.rng.below(4);
        let k = self.id();
        let bind = format!("k{k}");
        let n = self.rng.below(3) as usize;
        let (s0, t0) = self.scoped(d, n, true, true);
        // The guard sees the binding; so does its arm.
        let (guard, (s1, t1)) = self.with_binding(&bind, |g| {
            // Guards hold no await: awaitgraph refuses an `.await` in a guard (clear error).
            let guard = g.simple();
            let n = g.rng.below(3) as usize;
            (guard, g.scoped(d, n, false, true))
        });
        let n = self.rng.below(3) as usize;
        let (s2, t2) = self.scoped(d, n, true, true);
        format!(
            "match ({scrut}) % {m} {{ 0 => {{ {s0}{t0} }} {bind} if {bind} > ({guard}) % 3 => {{ {s1}{t1} }} _ => {{ {s2}{t2} }} }}"
        )
    }

    /// Runs `body` as the body of loop (or labelled block) `l` (jumps to it allowed inside), then
    /// forgets the bindings declared from `mark` on (the loop's own: its counter or variable).
    fn in_loop<T>(&mut self, mut l: Loop, mark: usize, body: impl FnOnce(&mut Self) -> T) -> T {
        // A labelled block runs once: what it did not declare may be moved in it (carried past
        // its exits as an `Option` when moved on some of them).
        let repeats = !l.block;
        l.ctl = self.ctl;
        self.loops.push(l);
        if repeats {
            self.loop_ctl.push(self.ctl);
        }
        let out = body(self);
        if repeats {
            self.loop_ctl.pop();
        }
        self.loops.pop();
        self.vars.truncate(mark);
        out
    }

    /// A loop's body: one to three statements and a tail, in a scope of its own.
    fn loop_scope(&mut self, d: usize) -> (String, String) {
        let n = 1 + self.rng.below(3) as usize;
        self.scoped(d, n, true, true)
    }

    fn loop_expr(&mut self, d: usize) -> String {
        let k = self.id();
        let (label, counter) = (format!("'l{k}"), format!("i{k}"));
        let rounds = 1 + self.rng.below(3);
        let mark = self.vars.len();
        self.declare_fixed(counter.clone());
        let (s, t) = self.in_loop(Loop::of(&label, true, Some(&counter)), mark, |g| {
            g.loop_scope(d)
        });
        format!(
            "{{ let mut {counter} = 0u64; {label}: loop {{ {counter} += 1; {s}if {counter} < {rounds} {{ continue {label}; }} break {label} ({t}); }} }}"
        )
    }

    fn while_expr(&mut self, d: usize) -> String {
        let k = self.id();
        let (label, counter, sum) = (format!("'l{k}"), format!("i{k}"), format!("s{k}"));
        let rounds = self.rng.below(4);
        let mark = self.vars.len();
        self.declare_fixed(counter.clone());
        let (s, t) = self.in_loop(Loop::of(&label, false, Some(&counter)), mark, |g| {
            g.loop_scope(d)
        });
        format!(
            "{{ let mut {counter} = 0u64; let mut {sum} = 0u64; {label}: while {counter} < {rounds} {{ {counter} += 1; {s}{sum} += {t}; }} {sum} }}"
        )
    }

    fn for_expr(&mut self, d: usize) -> String {
        let k = self.id();
        let (label, var, sum) = (format!("'l{k}"), format!("j{k}"), format!("s{k}"));
        let rounds = self.rng.below(4);
        let mark = self.vars.len();
        self.ctl += 1;
        self.declare_fixed(var.clone());
        self.ctl -= 1;
        let (s, t) = self.in_loop(Loop::of(&label, false, None), mark, |g| g.loop_scope(d));
        format!(
            "{{ let mut {sum} = 0u64; {label}: for {var} in 0..{rounds}u64 {{ {s}{sum} += {t} + {var}; }} {sum} }}"
        )
    }

    /// `for nK in vec![Noisy, ..] { .. }`: the iterator holds the items not reached yet (dropped
    /// with it when the loop ends by `break`, or while suspended in the body when cancelled);
    /// the loop variable is a `Noisy` the body may move.
    fn for_vec_expr(&mut self, d: usize) -> String {
        let k = self.id();
        let (label, var, sum) = (format!("'l{k}"), format!("n{k}"), format!("s{k}"));
        let items: Vec<String> = (0..self.rng.below(4))
            .map(|i| format!("Noisy::new(\"v{k}_{i}\")"))
            .collect();
        let mark = self.vars.len();
        self.ctl += 1;
        self.declare(var.clone(), Ty::Noisy, false);
        // Not shadowed: the tail below reads it.
        self.vars[mark].shadowable = false;
        self.ctl -= 1;
        let (s, t, len) = self.in_loop(Loop::of(&label, false, None), mark, |g| {
            let (s, t) = g.loop_scope(d);
            let len = if g.vars[mark].live {
                format!(" + {var}.len() as u64")
            } else {
                String::new()
            };
            (s, t, len)
        });
        format!(
            "{{ let mut {sum} = 0u64; {label}: for {var} in Vec::<Noisy>::from([{}]) {{ {s}{sum} += {t}{len}; }} {sum} }}",
            items.join(", ")
        )
    }

    /// `let vK = vec![Noisy, ..]; for nK in &vK { .. }`: the iterator borrows `vK`, kept
    /// across the awaits of the body (the lowering awaits such a loop as one future, its
    /// `break`/`continue` out and `return`/`?` acted on after it); the loop variable is a
    /// reference, never moved.
    fn for_borrowed_vec_expr(&mut self, d: usize) -> String {
        let k = self.id();
        let (label, var, sum, items) = (
            format!("'l{k}"),
            format!("n{k}"),
            format!("s{k}"),
            format!("v{k}"),
        );
        let values: Vec<String> = (0..self.rng.below(4))
            .map(|i| format!("Noisy::new(\"w{k}_{i}\")"))
            .collect();
        let mark = self.vars.len();
        self.ctl += 1;
        self.declare(var.clone(), Ty::Noisy, false);
        self.vars[mark].shadowable = false;
        // (At no level: never moved.)
        self.vars[mark].ctl = usize::MAX;
        self.ctl -= 1;
        let (s, t) = self.in_loop(Loop::of(&label, false, None), mark, |g| g.loop_scope(d));
        format!(
            "{{ let mut {sum} = 0u64; let {items} = Vec::<Noisy>::from([{}]); {label}: for {var} in &{items} {{ {s}{sum} += {t} + {var}.len() as u64; }} {sum} + {items}.len() as u64 }}",
            values.join(", ")
        )
    }

    /// `while let Some((wK, _)) = noisy_option(..) { .. }`: the scrutinee is evaluated again
    /// before each iteration (it may await); with `_` the `Noisy` stays in the scrutinee's
    /// temporary, which lives through the body (across its awaits) and drops at the end of each
    /// iteration. Ends after at most two rounds (`noisy_option(3)` is `None`).
    fn while_let_expr(&mut self, d: usize) -> String {
        let k = self.id();
        let (label, counter, sum) = (format!("'l{k}"), format!("i{k}"), format!("s{k}"));
        let bind = format!("w{k}");
        let rounds = 1 + self.rng.below(3);
        let extra = if self.rng.chance(40) {
            let p = self.pending();
            format!(" + leaf(\"w{k}\", {p}, 0u64).await")
        } else {
            String::new()
        };
        let rest = if self.rng.chance(50) {
            "_".to_string()
        } else {
            format!("_g{k}")
        };
        let mark = self.vars.len();
        self.declare_fixed(counter.clone());
        // Sometimes a let chain: `while let .. = .. && <condition seeing the binding>`.
        let chain = if !self.edition_2021 && self.rng.chance(30) {
            self.in_while_cond += 1;
            let c = self.with_binding(&bind, |g| g.cond(d, true));
            self.in_while_cond -= 1;
            format!(" && {c}")
        } else {
            String::new()
        };
        let (s, t) = self.in_loop(Loop::of(&label, false, Some(&counter)), mark, |g| {
            g.with_binding(&bind, |g| g.loop_scope(d))
        });
        let scrut = format!(
            "noisy_option(if {counter} < {rounds} {{ {counter} + 1 }} else {{ 3 }}{extra}, \"o{k}\")"
        );
        // Sometimes through an awaited `?` (whose lowering ends with a `}`).
        let scrut = match self.ret {
            Ret::Opt if self.rng.chance(25) => {
                format!("leaf(\"q{k}\", {}, Some({scrut})).await?", self.pending())
            }
            Ret::Res if self.rng.chance(25) => format!(
                "leaf(\"q{k}\", {}, Ok::<_, SmallError>({scrut})).await?",
                self.pending()
            ),
            _ => scrut,
        };
        format!(
            "{{ let mut {counter} = 0u64; let mut {sum} = 0u64; {label}: while let Some(({bind}, {rest})) = {scrut}{chain} {{ {counter} += 1; {s}{sum} += {t} + {bind}; }} {sum} }}"
        )
    }

    /// `'bK: { ..; if c { break 'bK (v); } ..; tail }`: left by a `break` with a value from any
    /// depth inside it (never by one without a label: E0695).
    fn labelled_block_expr(&mut self, d: usize) -> String {
        let k = self.id();
        let label = format!("'b{k}");
        let block = Loop {
            block: true,
            ..Loop::of(&label, true, None)
        };
        // In edition 2021 its tail is bound first: as an operand with awaits, a labelled block
        // whose tail holds temporaries is refused there (they would live to the end of the
        // enclosing statement).
        let (s, t) = self.in_loop(block, self.vars.len(), |g| {
            let n = 1 + g.rng.below(3) as usize;
            let bind = g.edition_2021;
            g.scoped_tail(d, n, true, true, bind)
        });
        format!("{label}: {{ {s}{t} }}")
    }

    /// `if let Some((cK, _)) = noisy_option(..) && <condition> && let Ok(rK) = noisy_result(..)
    /// { .. } else { .. }` (edition 2024): each operand runs only when the ones before held and
    /// sees their bindings; the scrutinees' values and temporaries live through `then` and drop
    /// before `else`.
    fn let_chain_expr(&mut self, d: usize) -> String {
        // Lowered as a labelled block: a local moved on some of its paths and not on others is
        // carried past its exits as an `Option`.
        self.let_chain_expr_inner(d)
    }

    fn let_chain_expr_inner(&mut self, d: usize) -> String {
        let k = self.id();
        let scrut = self.expr(d);
        let (x, y) = (format!("c{k}"), format!("r{k}"));
        let rest = if self.rng.chance(50) {
            "_".to_string()
        } else {
            format!("_g{k}")
        };
        let with_cond = self.rng.chance(70);
        let with_second = !with_cond || self.rng.chance(60);
        let (c, second, then) = self.with_binding(&x, |g| {
            let c = if with_cond {
                format!(" && {}", g.cond(d, true))
            } else {
                String::new()
            };
            if with_second {
                let scrut2 = g.expr(d);
                let then = g.with_binding(&y, |g| g.branch_scope(d, false));
                (
                    c,
                    format!(" && let Ok({y}) = noisy_result({scrut2}, \"r{k}\")"),
                    then,
                )
            } else {
                (c, String::new(), g.branch_scope(d, false))
            }
        });
        let (s2, t2) = self.branch_scope(d, true);
        let (s1, t1) = then;
        format!(
            "if let Some(({x}, {rest})) = noisy_option({scrut}, \"c{k}\"){c}{second} {{ {s1}{t1} }} else {{ {s2}{t2} }}"
        )
    }

    /// `let Some((xK, gK)) = noisy_option(..) else { ..; return r; };`: the scrutinee may
    /// await, the `else` block may await and returns; `gK` (a `Noisy`) lives on after it, or
    /// `_` leaves it in the scrutinee's temporary.
    fn let_else_stmt(&mut self, d: usize) -> String {
        let k = self.id();
        let scrut = self.expr(d);
        let n = self.rng.below(3) as usize;
        // The returned value is written in the `else` block's scope (its statements may shadow).
        self.in_let_else += 1;
        let (s, v) = self.scoped(d, n, true, true);
        self.in_let_else -= 1;
        let r = match (self.ret, self.rng.chance(30)) {
            (Ret::Opt, true) => "None".to_string(),
            (Ret::Res, true) => "Err(SmallError)".to_string(),
            _ => self.wrap(&v),
        };
        let name = self.new_name("x");
        let keep = self.rng.chance(50);
        let rest = if keep {
            match self.new_name("n") {
                // Both bound by one pattern: two names.
                n if n == name => format!("n{}", self.id()),
                n => n,
            }
        } else {
            "_".to_string()
        };
        self.declare(name.clone(), Ty::U64, false);
        if keep {
            self.declare(rest.clone(), Ty::Noisy, false);
        }
        format!(
            "let Some(({name}, {rest})) = noisy_option({scrut}, \"e{k}\") else {{ {s}return {r}; }};"
        )
    }

    /// A `break`/`continue` out of an enclosing loop (control flow only).
    fn jump(&mut self, d: usize) -> Option<String> {
        if self.loops.is_empty() {
            return None;
        }
        let i = self.rng.below(self.loops.len() as u64) as usize;
        let (label, valued, counter, block) = {
            let l = &self.loops[i];
            (l.label.clone(), l.valued, l.counter.clone(), l.block)
        };
        let c = self.cond(d, true);
        // Sometimes a local declared outside the construct left (and inside the loop around
        // it) moved on that way out only: carried past it as an `Option`, its drop flag.
        let moved = match self.pick_exit_movable(i) {
            Some(v) if !self.avoid_bugs && self.rng.chance(60) => {
                self.vars[v].live = false;
                format!("drop({}); ", self.vars[v].name)
            }
            _ => String::new(),
        };
        // After a move, the `break`'s value is a leaf's output: one holding a `break` or
        // `continue` (even of a loop of its own) makes liveness take the branch for one that
        // may reach the code after it (`jumps_before_leaving` reads tokens), where the moved
        // local is still in scope (E0382 in the lowered fn, a known limit).
        let value = |g: &mut Self| {
            if moved.is_empty() {
                return g.expr(d);
            }
            let (k, p, v) = (g.id(), g.pending(), g.lit());
            format!("leaf(\"m{k}\", {p}, {v}).await")
        };
        if block {
            let v = value(self);
            return Some(format!("if {c} {{ {moved}break {label} ({v}); }}"));
        }
        // The innermost loop (no labelled block in between) may be left without its label:
        // inside a let chain, the lowering must give such a jump the loop's label.
        let label = if i + 1 == self.loops.len() && self.in_while_cond == 0 && self.rng.chance(30) {
            String::new()
        } else {
            label
        };
        Some(match (valued, self.rng.chance(50) || !moved.is_empty()) {
            (true, true) => {
                let v = value(self);
                format!("if {c} {{ {moved}break {label} ({v}); }}")
            }
            // `continue` of a `loop` only while its counter says so, or it might never end.
            (true, false) => {
                let counter = counter.unwrap_or_default();
                format!("if {counter} < 2 {{ continue {label}; }}")
            }
            (false, true) => format!("if {c} {{ {moved}break {label}; }}"),
            (false, false) => format!("if {c} {{ continue {label}; }}"),
        })
    }

    fn stmt(&mut self, depth: usize) -> String {
        let d = (depth + 1).min(MAX_DEPTH);
        let choices = if self.control_flow { 16 } else { 13 };
        match self.rng.below(choices) {
            0..=2 => {
                let e = if !self.avoid_bugs && self.rng.chance(15) {
                    // `let x = f.await? + y;`: a `?` first in an unparenthesised operand.
                    format!("{} + {}", self.try_expr(d), self.expr(d))
                } else {
                    self.expr_top(d)
                };
                let name = self.new_name("x");
                let mutable = self.rng.chance(20);
                let m = if mutable { "mut " } else { "" };
                let ty = if self.avoid_bugs { ": u64" } else { "" };
                let s = format!("let {m}{name}{ty} = {e};");
                self.declare(name, Ty::U64, mutable);
                s
            }
            3..=4 => {
                let k = self.id();
                let name = self.new_name("n");
                self.declare(name.clone(), Ty::Noisy, false);
                format!("let {name} = Noisy::new(\"n{k}\");")
            }
            5 => {
                let targets: Vec<usize> = self
                    .usable(Ty::U64)
                    .into_iter()
                    .filter(|&i| self.vars[i].mutable)
                    .collect();
                if targets.is_empty() || self.in_format > 0 {
                    let e = self.expr(d);
                    return format!("{e};");
                }
                let t = self.vars[targets[self.rng.below(targets.len() as u64) as usize]]
                    .name
                    .clone();
                let e = self.expr(d);
                format!("{t} += {e};")
            }
            6 if !self.avoid_bugs && self.rng.chance(50) => match self.pick_outer_movable() {
                Some(i) => {
                    self.vars[i].live = false;
                    if self.rng.chance(50) {
                        return format!("drop({});", self.vars[i].name);
                    }
                    let (k, p) = (self.id(), self.pending());
                    format!(
                        "drop({}); leaf(\"d{k}\", {p}, ()).await;",
                        self.vars[i].name
                    )
                }
                None => {
                    let k = self.id();
                    format!("log(\"s{k}\");")
                }
            },
            6 => match self.pick_movable() {
                Some(i) => {
                    self.vars[i].live = false;
                    format!("drop({});", self.vars[i].name)
                }
                None => {
                    let k = self.id();
                    format!("log(\"s{k}\");")
                }
            },
            7 => match self.pick_movable() {
                Some(i) => {
                    self.vars[i].live = false;
                    let old = self.vars[i].name.clone();
                    if self.rng.chance(50) {
                        let name = self.new_name("x");
                        self.declare(name.clone(), Ty::U64, false);
                        format!("let {name} = {old}.into_len() as u64;")
                    } else {
                        let name = self.new_name("n");
                        self.declare(name.clone(), Ty::Noisy, false);
                        format!("let {name} = {old};")
                    }
                }
                None => {
                    let e = self.expr(d);
                    format!("{e};")
                }
            },
            8 => {
                let k = self.id();
                format!("log(\"s{k}\");")
            }
            9..=10 => {
                let e = self.expr_top(d);
                format!("{e};")
            }
            11 if self.control_flow && self.in_format == 0 && self.rng.chance(35) => {
                self.let_else_stmt(d)
            }
            11 => {
                // Early return from a plain `if` without awaits.
                let c = self.cond(d, false);
                let v = self.simple();
                let r = match (self.ret, self.rng.chance(30)) {
                    (Ret::Opt, true) => "None".to_string(),
                    (Ret::Res, true) => "Err(SmallError)".to_string(),
                    _ => self.wrap(&v),
                };
                format!("if {c} {{ return {r}; }}")
            }
            12 if self.control_flow && self.rng.chance(40) => {
                // Deferred initialization: declared without a value, assigned in both branches
                // of an `if` whose condition and branches may await.
                let k = self.id();
                let name = format!("d{k}");
                let noisy = self.rng.chance(40);
                let c = self.cond(d, true);
                // The value is built in the branch's scope (after its statements, whose
                // bindings it may use).
                let n1 = self.rng.below(3) as usize;
                let (s1, t1) = self.scoped(d, n1, true, !noisy);
                let v1 = if noisy {
                    format!("Noisy::new(\"d{k}a\")")
                } else {
                    t1
                };
                let n2 = self.rng.below(3) as usize;
                // Sometimes the `else` branch returns instead: assigned on every path that
                // goes on. The returned value is written in the branch's scope (its statements
                // may shadow).
                let returns = self.rng.chance(25) && self.in_format == 0;
                let (s2, t2) = self.scoped(d, n2, true, !noisy || returns);
                let els = if returns {
                    let r = self.wrap(&t2);
                    format!("{s2}return {r};")
                } else if noisy {
                    format!("{s2}{name} = Noisy::new(\"d{k}b\");")
                } else {
                    format!("{s2}{name} = {t2};")
                };
                let ty = if noisy { Ty::Noisy } else { Ty::U64 };
                self.declare(name.clone(), ty, false);
                format!("let {name}; if {c} {{ {s1}{name} = {v1}; }} else {{ {els} }}")
            }
            12 => {
                let k = self.id();
                let name = self.new_name("x");
                let e = self.expr(d);
                self.declare(name.clone(), Ty::U64, false);
                let ty = if self.avoid_bugs { ": u64" } else { "" };
                format!("let {name}{ty} = {{ log(\"b{k}\"); {e} }};")
            }
            13 if self.control_flow && self.in_format == 0 && self.rng.chance(30) => {
                self.select_stmt(d)
            }
            13 => match self.jump(d) {
                Some(s) => s,
                None => self.if_stmt(d),
            },
            _ => self.if_stmt(d),
        }
    }

    /// `tokio::select! { .. }` whose handlers leave it: a `break`/`continue` out of an
    /// enclosing loop, a `return`, a `?` (they run in the fn natively; the lowering turns each
    /// into a value of the block it awaits the `select!` in).
    fn select_stmt(&mut self, d: usize) -> String {
        let k = self.id();
        let (p1, p2, v1) = (self.pending(), self.pending(), self.lit());
        self.in_select += 1;
        let floor = std::mem::replace(&mut self.select_floor, self.vars.len());
        let mut h1 = format!("log(\"h{k}\"); ");
        if let Some(j) = self.jump(d) {
            h1.push_str(&j);
        }
        if self.ret != Ret::U64 && self.rng.chance(50) {
            let t = self.try_expr(d);
            h1.push_str(&format!(" log(\"q{k}\"); let _ = {t};"));
        }
        let h2 = if self.rng.chance(40) {
            let c = self.cond(d, true);
            let v = self.simple();
            let r = self.wrap(&v);
            format!("if {c} {{ return {r}; }}")
        } else {
            self.jump(d).unwrap_or_default()
        };
        self.in_select -= 1;
        self.select_floor = floor;
        format!(
            "tokio::select! {{ biased; v{k} = leaf(\"s{k}\", {p1}, {v1}) => {{ {h1} log(if v{k} > 0 {{ \"a{k}\" }} else {{ \"b{k}\" }}); }} _ = leaf(\"r{k}\", {p2}, ()) => {{ {h2} }} }}"
        )
    }

    /// `if` with awaits in its condition and branches, as a statement.
    fn if_stmt(&mut self, d: usize) -> String {
        let c = self.cond(d, true);
        let n = 1 + self.rng.below(3) as usize;
        let (s1, _) = self.scoped(d, n, true, false);
        if self.rng.chance(50) {
            let n = 1 + self.rng.below(3) as usize;
            let (s2, _) = self.scoped(d, n, true, false);
            format!("if {c} {{ {s1}}} else {{ {s2}}}")
        } else {
            format!("if {c} {{ {s1}}}")
        }
    }
}
