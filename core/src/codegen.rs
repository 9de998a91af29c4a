//! Phase 5: the explicit enum-and-poll future.
//!
//! Input:  the normalized body and its [`Analysis`].
//! Output (abridged, for `async fn demo(n: u64) -> usize { let a = f(n).await; a + n }`):
//! ```text
//! fn demo(n: u64) -> impl Future<Output = usize> {
//!     enum __State<N, Fut0> { Unresumed { n: N }, Returned, Panicked, Suspend0 { __awaitee: Fut0, n: N } }
//!     let __step = move |__s: &mut __State<_, _>, __cx: &mut Context<'_>| -> Poll<_> {
//!         '__resume0: {
//!             match unsafe { &mut *__sp } {
//!                 __State::Unresumed { .. } => { let (n,) = take Unresumed;
//!                     let __ret: usize = '__body: { let n = n;
//!                         let __awaitee = IntoFuture::into_future(f(n));
//!                         store(__s, __State::Suspend0 { __awaitee, n }); break '__resume0; };
//!                     store(__s, __State::Returned); return Poll::Ready(__ret); }
//!                 __State::Suspend0 { .. } => break '__resume0,
//!                 __State::Returned => resumed_after_completion(),
//!                 __State::Panicked => resumed_after_panicking(),
//!             }
//!         }
//!         // The code resuming at await 0, reached by the dispatch or by falling through.
//!         let __State::Suspend0 { __awaitee, n } = unsafe { &mut *__sp };
//!         let __out = ready!(poll awaitee in place);
//!         let (n,) = take; vacate (drop the awaitee in place);
//!         let __ret: usize = '__body: { let n = n; let a = __out; a + n };
//!         store(__s, __State::Returned); return Poll::Ready(__ret);
//!     };
//!     unsafe { Machine::new(__State::Unresumed { n }, __step) }
//! }
//! ```

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::Ident;

use crate::config::Config;
use crate::liveness::Entry;
use crate::liveness::{Analysis, LocalId, NativeTarget, Origin, Point, caught_natively};
use crate::normalize::{Bind, Block, Control, Head, Stmt};
use crate::parse::{AsyncFn, ParamKind};
use crate::rewrite::body_label;
use std::collections::{BTreeSet, HashSet};
use syn::visit_mut::{self, VisitMut};

/// What the code of one arm (a state, or an internal jump target) can do.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Exits {
    /// Contains a `return`.
    pub returns: bool,
    /// Contains a `?`.
    pub question: bool,
    /// Runs to the end of the body.
    pub completes: bool,
    /// The suspension points it can reach next (directly or through internal jumps).
    pub next: BTreeSet<usize>,
    /// For a suspension point in `next`: the path conditions on the way (`if x > 1`,
    /// `match Some(v)`, `loop`), as written.
    pub conditions: std::collections::BTreeMap<usize, String>,
}

/// The generated fn and what each state's code can do.
pub struct Generated {
    /// The rewritten fn, without its outer attributes (see [`AsyncFn::attrs`]).
    pub tokens: TokenStream,
    /// Per state (`0` = Unresumed, `k + 1` = after await `k`): where its code can go.
    pub exits: Vec<Exits>,
}

/// A path from the body to a statement: per level, the statement index and which of its
/// blocks the path enters (`0` for a nested block, the branch or arm index for a `Control`).
type Path = Vec<(usize, usize)>;

/// What ends a block being emitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum End {
    /// Its value is the value of the enclosing expression, written natively.
    Value,
    /// The fn body: the future completes.
    Complete,
    /// A branch of control construct `id` entered mid-way: jump to what follows it.
    After(usize),
    /// The body of loop `id` entered mid-way: jump to its head.
    Loop(usize),
}

/// Where an arm starts.
#[derive(Clone, Copy, Debug)]
enum Start {
    Resume(usize),
    After(usize),
    LoopHead(usize),
    /// At an await, before its awaitee is built (see [`Entry::Before`]).
    Before(usize),
}

struct Ctx<'a> {
    analysis: &'a Analysis,
    root: &'a Block,
    /// Path of each await, by index.
    await_paths: Vec<Path>,
    /// Path of each control construct, by id.
    control_paths: Vec<Path>,
    /// Per control construct: its loop label (`Some(None)` for an unlabelled loop), `None`
    /// for a branch.
    loop_labels: Vec<Option<Option<String>>>,
    // Per arm:
    exits: Exits,
    reached: BTreeSet<Entry>,
    /// Loops with awaits around the code being emitted, innermost last, and whether each is
    /// written natively (`loop { .. }`) in this arm.
    loops: Vec<(usize, bool)>,
    /// Every jump target used.
    targets: BTreeSet<Entry>,
    /// Path conditions of the code being emitted, for diagram labels.
    conds: Vec<String>,
    /// The last emitted code suspends or jumps instead of finishing (nothing may follow it).
    diverged: bool,
    /// Loops written natively in this arm that a `break` leaves natively.
    broken: BTreeSet<usize>,
    /// The names the verbatim code emitted so far in this arm moved on every path through it
    /// (in the enclosing branches too): a jump carrying a local as an `Option` says `None`
    /// for them (a `break` after `drop(n);`).
    arm_moved: HashSet<String>,
    /// Some local is carried as an `Option` somewhere: `arm_moved` is kept.
    tracks_moves: bool,
    /// The arm runs from the start of the body or a loop's head: code after a branch with
    /// awaits continues in it (natively) instead of jumping. Other arms jump, so each piece of
    /// code is emitted at most twice.
    native: bool,
    /// Per control construct: (rank of its start, rank of its end) in source order.
    ranks: Vec<(usize, usize)>,
    /// Per await: its rank in source order.
    await_ranks: Vec<usize>,
    rank: usize,
    /// No branch or loop holds an await: the code resuming at await `k + 1` follows that of
    /// await `k`, so a suspension falls through to it (`break '__resume<k>`) instead of going
    /// back to the dispatch on the state.
    sequential: bool,
    /// The path of the runtime's `__private` module.
    private: TokenStream,
    /// How many times the awaitee of each await was written, for awaitees whose type is new at
    /// each place (a wrapper, an `async` block, a closure).
    built: std::collections::BTreeMap<usize, usize>,
    /// Awaits reached in more than one arm (found by a first pass): their awaitee is built in
    /// the arm of `Before<k>`, which the others jump to.
    shared_builds: &'a BTreeSet<usize>,
    /// The await whose `Before` arm is being written.
    building: Option<usize>,
    /// Per control construct: code after it defines a closure, an `async` block or an opaque
    /// macro, so the arms starting at the body or a loop's head jump to the code after it
    /// instead of writing it natively a second time.
    anonymous_after: std::collections::BTreeMap<usize, bool>,
    /// Where the arm being written starts (`None`: the start of the body): which locals it
    /// holds as `Option`s ([`Analysis::flagged`]).
    point: Option<Point>,
    /// The branches `(control id, index)` around the code being written, innermost last.
    branches: Vec<(usize, usize)>,
    /// The locals the arm being written starts with (`None`: the start of the body).
    carried: Option<BTreeSet<LocalId>>,
}

/// The label of the block after which the code resuming at await `k` sits (sequential fns).
fn label_resume(k: usize) -> syn::Lifetime {
    syn::Lifetime::new(&format!("'__resume{k}"), Span::mixed_site())
}

/// The inner loop of a control-flow fn's poll: jumps back up (to a loop's head, or to code
/// written before) go round it.
fn label_back() -> syn::Lifetime {
    syn::Lifetime::new("'__back", Span::mixed_site())
}

/// The marker label of jumps (see [`Ctx::jump`]); no block carries it in the output.
fn label_jump() -> syn::Lifetime {
    syn::Lifetime::new("'__jump", Span::mixed_site())
}

fn ms(name: &str) -> Ident {
    Ident::new(name, Span::mixed_site())
}

fn child(s: &Stmt, c: usize) -> Option<&Block> {
    match s {
        Stmt::Nested { block, .. } => Some(block),
        Stmt::Control { ctl, .. } => match ctl {
            Control::If { then, els, .. } => {
                if c == 0 {
                    Some(then)
                } else {
                    els.as_ref()
                }
            }
            Control::Match { arms, .. } => arms.get(c).map(|a| &a.body),
            Control::Loop { body, .. } => Some(body),
        },
        _ => None,
    }
}

fn children(s: &Stmt) -> usize {
    match s {
        Stmt::Nested { .. } => 1,
        Stmt::Control { ctl, .. } => match ctl {
            Control::If { els, .. } => 1 + els.is_some() as usize,
            Control::Match { arms, .. } => arms.len(),
            Control::Loop { .. } => 1,
        },
        _ => 0,
    }
}

/// Whether code defines a value of a type that is new at each place it is written: a closure,
/// an `async` block, or a macro we cannot see into. Such code must not be written in two arms
/// when the value can reach the state or a jump (one variant field cannot hold two types).
fn defines_anonymous(visit: impl FnOnce(&mut FindAnonymous)) -> bool {
    let mut f = FindAnonymous(false);
    visit(&mut f);
    f.0
}

struct FindAnonymous(bool);

impl<'ast> syn::visit::Visit<'ast> for FindAnonymous {
    fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {
        self.0 = true;
    }
    fn visit_expr_async(&mut self, _: &'ast syn::ExprAsync) {
        self.0 = true;
    }
    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        match crate::macros::parse_known(m) {
            Some(Ok(args)) => {
                for e in args.exprs() {
                    self.visit_expr(e);
                }
            }
            _ => self.0 = true,
        }
    }
    fn visit_item(&mut self, _: &'ast syn::Item) {}
}

pub(crate) fn expr_defines_anonymous(e: &syn::Expr) -> bool {
    defines_anonymous(|f| syn::visit::Visit::visit_expr(f, e))
}

/// Records, per control construct in `b`, whether code after it in source order defines such a
/// value (`after`: whether the code after `b` does); returns whether `b` itself does. Awaitees
/// do not count: each is built at one place (see [`Entry::Before`]).
fn anonymous_after(
    b: &Block,
    after: bool,
    out: &mut std::collections::BTreeMap<usize, bool>,
) -> bool {
    let mut after = after;
    let mut any = false;
    for s in b.stmts.iter().rev() {
        let defines = match s {
            Stmt::Code(c) => defines_anonymous(|f| syn::visit::Visit::visit_stmt(f, c)),
            Stmt::Tail(e) => expr_defines_anonymous(e),
            Stmt::Await(_) => false,
            Stmt::Nested { head, block, .. } => {
                anonymous_after(block, after, out)
                    | matches!(head, Head::LetElse(_, d) if expr_defines_anonymous(d))
            }
            Stmt::Control { id, ctl, .. } => {
                out.insert(*id, after);
                match ctl {
                    Control::If { cond, then, els } => {
                        anonymous_after(then, after, out)
                            | els.as_ref().is_some_and(|e| anonymous_after(e, after, out))
                            | expr_defines_anonymous(cond)
                    }
                    Control::Match { scrut, arms } => {
                        arms.iter().fold(expr_defines_anonymous(scrut), |d, a| {
                            d | anonymous_after(&a.body, after, out)
                                | a.guard.as_ref().is_some_and(expr_defines_anonymous)
                        })
                    }
                    // After the body comes the loop's head (its arm): not written twice.
                    Control::Loop { body, .. } => anonymous_after(body, false, out),
                }
            }
        };
        after |= defines;
        any |= defines;
    }
    any
}

fn body_has_control(b: &Block) -> bool {
    b.stmts.iter().any(|s| match s {
        Stmt::Control { .. } => true,
        Stmt::Nested { block, .. } => body_has_control(block),
        _ => false,
    })
}

fn find_paths(ctx: &mut Ctx<'_>, b: &Block, prefix: &mut Path) {
    for (i, s) in b.stmts.iter().enumerate() {
        match s {
            Stmt::Await(a) => {
                if ctx.await_paths.len() <= a.index {
                    ctx.await_paths.resize_with(a.index + 1, Vec::new);
                }
                prefix.push((i, 0));
                ctx.await_paths[a.index] = prefix.clone();
                prefix.pop();
                if ctx.await_ranks.len() <= a.index {
                    ctx.await_ranks.resize(a.index + 1, 0);
                }
                ctx.rank += 1;
                ctx.await_ranks[a.index] = ctx.rank;
            }
            Stmt::Control { id, ctl, .. } => {
                if ctx.control_paths.len() <= *id {
                    ctx.control_paths.resize_with(id + 1, Vec::new);
                    ctx.loop_labels.resize(id + 1, None);
                }
                prefix.push((i, 0));
                ctx.control_paths[*id] = prefix.clone();
                prefix.pop();
                if let Control::Loop { label, .. } = ctl {
                    ctx.loop_labels[*id] = Some(label.as_ref().map(|l| l.ident.to_string()));
                }
                if ctx.ranks.len() <= *id {
                    ctx.ranks.resize(id + 1, (0, 0));
                }
                ctx.rank += 1;
                ctx.ranks[*id].0 = ctx.rank;
            }
            _ => {}
        }
        for c in 0..children(s) {
            if let Some(block) = child(s, c) {
                prefix.push((i, c));
                find_paths(ctx, block, prefix);
                prefix.pop();
            }
        }
        if let Stmt::Control { id, .. } = s {
            ctx.rank += 1;
            ctx.ranks[*id].1 = ctx.rank;
        }
    }
}

fn is_block_like(e: &syn::Expr) -> bool {
    matches!(
        e,
        syn::Expr::Match(_)
            | syn::Expr::If(_)
            | syn::Expr::Block(_)
            | syn::Expr::Loop(_)
            | syn::Expr::While(_)
            | syn::Expr::ForLoop(_)
            | syn::Expr::Unsafe(_)
    )
}

/// Whether the leftmost part of `e` is a block-like expression (`match .. {} + 1`).
fn starts_with_block(e: &syn::Expr) -> bool {
    if is_block_like(e) {
        return true;
    }
    match e {
        syn::Expr::Binary(b) => starts_with_block(&b.left),
        syn::Expr::Cast(c) => starts_with_block(&c.expr),
        syn::Expr::MethodCall(m) => starts_with_block(&m.receiver),
        syn::Expr::Field(f) => starts_with_block(&f.base),
        syn::Expr::Index(i) => starts_with_block(&i.expr),
        syn::Expr::Try(t) => starts_with_block(&t.expr),
        syn::Expr::Call(c) => starts_with_block(&c.func),
        syn::Expr::Range(r) => r.start.as_deref().is_some_and(starts_with_block),
        syn::Expr::Assign(a) => starts_with_block(&a.left),
        _ => false,
    }
}

/// Scans emitted tokens for the breaks out of `'__body` that `return` and `?` became.
fn scan_exits(tokens: &TokenStream, exits: &mut Exits) {
    let tts: Vec<TokenTree> = tokens.clone().into_iter().collect();
    for (i, tt) in tts.iter().enumerate() {
        match tt {
            TokenTree::Ident(id) if id == "__body" => {
                let question = tts[i + 1..].iter().take(8).any(|t| match t {
                    TokenTree::Group(g) => g.stream().to_string().contains("from_residual"),
                    TokenTree::Ident(x) => x == "from_residual",
                    _ => false,
                });
                if question {
                    exits.question = true;
                } else {
                    exits.returns = true;
                }
            }
            TokenTree::Group(g) => scan_exits(&g.stream(), exits),
            _ => {}
        }
    }
}

/// Control mode: the code arms, in source order, after nested labeled blocks entered from a
/// `match` on `__goto` (see the dispatch in [`generate_pass`]); each arm's jumps
/// (`break '__jump __Goto::V`, written by [`Ctx::jump`] and by a first poll that is `Ready`)
/// become a `break` to a label when the target is further down, else a new round of the
/// `'__back` loop.
fn nest_arms(arms: Vec<(usize, u8, Vec<Ident>, TokenStream)>) -> TokenStream {
    let label = |i: usize| syn::Lifetime::new(&format!("'__arm{i}"), Span::mixed_site());
    let mut index = std::collections::HashMap::new();
    for (i, (_, _, variants, _)) in arms.iter().enumerate() {
        for v in variants {
            index.insert(v.to_string(), i);
        }
    }
    let entries = arms.iter().enumerate().map(|(i, (_, _, variants, _))| {
        let l = label(i);
        quote!(#(__Goto::#variants)|* => break #l,)
    });
    let mut nest = quote!(match __goto { #(#entries)* });
    for (i, (_, _, _, code)) in arms.into_iter().enumerate() {
        let l = label(i);
        let code = route_jumps(code, i, &index, &label);
        nest = quote! {
            #l: { #nest }
            #code
        };
    }
    nest
}

/// Rewrites the jumps of arm `here` (see [`nest_arms`]).
fn route_jumps(
    tokens: TokenStream,
    here: usize,
    index: &std::collections::HashMap<String, usize>,
    label: &dyn Fn(usize) -> syn::Lifetime,
) -> TokenStream {
    let tts: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = TokenStream::new();
    let mut i = 0;
    while i < tts.len() {
        // `break '__jump __Goto :: V`
        let target = match &tts[i..] {
            [
                TokenTree::Ident(b),
                TokenTree::Punct(q),
                TokenTree::Ident(j),
                TokenTree::Ident(g),
                TokenTree::Punct(c1),
                TokenTree::Punct(c2),
                TokenTree::Ident(v),
                ..,
            ] if b == "break"
                && q.as_char() == '\''
                && j == "__jump"
                && g == "__Goto"
                && c1.as_char() == ':'
                && c2.as_char() == ':' =>
            {
                index.get(&v.to_string()).map(|t| (*t, v.clone()))
            }
            _ => None,
        };
        if let Some((t, v)) = target {
            if t > here {
                let l = label(t);
                out.extend(quote!(break #l));
            } else {
                let back = label_back();
                out.extend(quote!({ __goto = __Goto::#v; continue #back }));
            }
            i += 7;
            continue;
        }
        match &tts[i] {
            TokenTree::Group(g) => {
                let mut ng = proc_macro2::Group::new(
                    g.delimiter(),
                    route_jumps(g.stream(), here, index, label),
                );
                ng.set_span(g.span());
                out.extend([TokenTree::Group(ng)]);
            }
            t => out.extend([t.clone()]),
        }
        i += 1;
    }
    out
}

/// The jump target an arm starts at; `None` for a resumption after an await (a state).
fn start_entry(start: Start) -> Option<Entry> {
    match start {
        Start::Resume(_) => None,
        Start::After(id) => Some(Entry::After(id)),
        Start::LoopHead(id) => Some(Entry::LoopHead(id)),
        Start::Before(k) => Some(Entry::Before(k)),
    }
}

/// Removes from an arm's code each `let [mut] x;` or `let (x, y);` (no type, no value) whose
/// names appear nowhere else in it: locals declared without a value that this arm leaves before
/// assigning them (it suspends or jumps first; they are declared again where the code resumes,
/// [`Suspension::fresh`](crate::liveness::Suspension::fresh)). Kept, its type could not be
/// inferred (E0282). Such a declaration does nothing else: it holds no value to drop.
fn drop_unused_declarations(code: TokenStream) -> TokenStream {
    use proc_macro2::TokenTree as T;
    /// One pass: the bare declarations, and how often each identifier appears.
    fn scan(
        code: &TokenStream,
        declared: &mut Vec<Vec<String>>,
        counts: &mut std::collections::HashMap<String, usize>,
    ) {
        let tokens: Vec<T> = code.clone().into_iter().collect();
        for (i, t) in tokens.iter().enumerate() {
            match t {
                T::Ident(id) => {
                    if id == "let"
                        && let Some((names, _)) = bare_declaration(&tokens[i..])
                    {
                        declared.push(names);
                    }
                    *counts.entry(id.to_string()).or_default() += 1;
                }
                T::Group(g) => scan(&g.stream(), declared, counts),
                _ => {}
            }
        }
    }
    fn remove(code: TokenStream, unused: &[Vec<String>]) -> TokenStream {
        let tokens: Vec<T> = code.into_iter().collect();
        let mut out = Vec::new();
        let mut i = 0;
        while i < tokens.len() {
            if let T::Ident(l) = &tokens[i]
                && l == "let"
                && let Some((names, len)) = bare_declaration(&tokens[i..])
                && unused.contains(&names)
            {
                i += len;
                continue;
            }
            out.push(match &tokens[i] {
                T::Group(g) => {
                    let mut n = proc_macro2::Group::new(g.delimiter(), remove(g.stream(), unused));
                    n.set_span(g.span());
                    T::Group(n)
                }
                t => t.clone(),
            });
            i += 1;
        }
        out.into_iter().collect()
    }
    let (mut names, mut counts) = (Vec::new(), std::collections::HashMap::new());
    scan(&code, &mut names, &mut counts);
    // Each name of such a declaration appears in it once: unused if nowhere else.
    let unused: Vec<Vec<String>> = names
        .into_iter()
        .filter(|ns| ns.iter().all(|n| counts.get(n) == Some(&1)))
        .collect();
    if unused.is_empty() {
        return code;
    }
    remove(code, &unused)
}

/// `let [mut] x ;` or `let ([mut] x, [mut] y, ..) ;` at the start of `tokens`: the names and
/// the number of tokens.
fn bare_declaration(tokens: &[proc_macro2::TokenTree]) -> Option<(Vec<String>, usize)> {
    use proc_macro2::{Delimiter, TokenTree as T};
    fn names(tokens: &[T]) -> Option<Vec<String>> {
        let mut out = Vec::new();
        for part in tokens.split(|t| matches!(t, T::Punct(p) if p.as_char() == ',')) {
            match part {
                [] => {}
                [T::Ident(n)] if n != "mut" => out.push(n.to_string()),
                [T::Ident(m), T::Ident(n)] if m == "mut" => out.push(n.to_string()),
                _ => return None,
            }
        }
        Some(out)
    }
    let (found, pattern_len) = match tokens.get(1)? {
        T::Ident(m) if m == "mut" => (names(tokens.get(1..3)?)?, 2),
        T::Ident(_) => (names(&tokens[1..2])?, 1),
        T::Group(g) if g.delimiter() == Delimiter::Parenthesis => {
            (names(&g.stream().into_iter().collect::<Vec<_>>())?, 1)
        }
        _ => return None,
    };
    match tokens.get(1 + pattern_len) {
        Some(T::Punct(p)) if p.as_char() == ';' && !found.is_empty() => {
            Some((found, pattern_len + 2))
        }
        _ => None,
    }
}

/// A lowered statement that never completes (see [`crate::liveness::stmt_exit`]).
fn stmt_leaves(s: &Stmt) -> bool {
    crate::liveness::stmt_exit(s).is_some()
}

/// The braces of a [`Stmt::Nested`]: a block of the user's, or the tail statement of one (its
/// temporaries live as long as a tail's do in the user's edition), in the user's edition; the
/// braces standing for the end of any other statement in this crate's edition, 2024, where a
/// block's tail temporaries drop before its locals: the statement's last temporaries first, then
/// those kept in its hidden locals, as a statement drops its temporaries in every edition.
fn nested_block(inner: TokenStream, head: &Head, user: bool) -> TokenStream {
    if user || matches!(head, Head::Tail) {
        user_block(inner)
    } else {
        braces(inner, Span::mixed_site())
    }
}

/// `{ inner }` for a block that holds the user's code: its span has the user's edition (see
/// [`crate::rewrite::user_edition`]).
fn user_block(inner: TokenStream) -> TokenStream {
    braces(inner, crate::rewrite::user_edition(Span::call_site()))
}

/// `{ inner }` spanned at `span`, whose edition rustc reads for the block's tail temporaries.
fn braces(inner: TokenStream, span: Span) -> TokenStream {
    let mut g = proc_macro2::Group::new(proc_macro2::Delimiter::Brace, inner);
    g.set_span(span);
    TokenTree::Group(g).into()
}

/// The slot (a `MaybeUninit` local of `poll`) through which a jump carries the values of type
/// parameter `tp` to its target.
fn slot_ident(tp: &Ident) -> Ident {
    format_ident!("__slot_{}", tp, span = Span::mixed_site())
}

/// The slot parameter of a local carried as an `Option` (its own drop flag).
fn flagged_param(tp: &Ident) -> Ident {
    format_ident!("Flagged{}", tp, span = Span::mixed_site())
}

/// The type parameter of the value of branch or loop `id`, carried to the code after it.
fn value_param(id: usize) -> Ident {
    format_ident!("Value{}", id, span = Span::mixed_site())
}

/// The slot holding the output of await `k` when its first poll, where it is stored, is `Ready`.
fn ready_slot(k: usize) -> Ident {
    format_ident!("__ready{}", k, span = Span::mixed_site())
}

fn entry_variant(e: Entry) -> Ident {
    match e {
        Entry::After(id) => format_ident!("After{}", id, span = Span::mixed_site()),
        Entry::LoopHead(id) => format_ident!("Loop{}", id, span = Span::mixed_site()),
        Entry::Before(k) => format_ident!("Before{}", k, span = Span::mixed_site()),
    }
}

/// Code of the user's written as is, whose moves [`Ctx::note_moves`] notes.
enum Verbatim<'s> {
    Stmt(&'s syn::Stmt),
    Expr(&'s syn::Expr),
}

/// Rewrites `break`/`continue` that target a loop with awaits not written natively in the
/// current arm into jumps.
struct Jumps<'c, 'a> {
    ctx: &'c mut Ctx<'a>,
    /// Native loops and labelled blocks inside the statement.
    inner: Vec<NativeTarget>,
}

impl VisitMut for Jumps<'_, '_> {
    fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
        match e {
            syn::Expr::Closure(_) | syn::Expr::Async(_) | syn::Expr::Const(_) => {}
            // The iterated expression is outside the loop.
            syn::Expr::ForLoop(f) => {
                visit_mut::visit_expr_mut(self, &mut f.expr);
                self.inner.push(NativeTarget::Loop(
                    f.label.as_ref().map(|l| l.name.ident.to_string()),
                ));
                visit_mut::visit_block_mut(self, &mut f.body);
                self.inner.pop();
            }
            syn::Expr::Break(br) => {
                if let Some(v) = &mut br.expr {
                    self.visit_expr_mut(v);
                }
                let label = br.label.as_ref().map(|l| l.ident.to_string());
                if let Some(target) = self.target(label.as_deref(), true) {
                    let value = br
                        .expr
                        .take()
                        .map(|v| quote!(#v))
                        .unwrap_or_else(|| quote!(()));
                    let jump = self.ctx.jump(Entry::After(target), Some(value));
                    *e = syn::Expr::Verbatim(quote!({ #jump }));
                }
            }
            syn::Expr::Continue(c) => {
                let label = c.label.as_ref().map(|l| l.ident.to_string());
                if let Some(target) = self.target(label.as_deref(), false) {
                    let jump = self.ctx.jump(Entry::LoopHead(target), None);
                    *e = syn::Expr::Verbatim(quote!({ #jump }));
                }
            }
            e => match NativeTarget::of(e) {
                Some(t) => {
                    self.inner.push(t);
                    visit_mut::visit_expr_mut(self, e);
                    self.inner.pop();
                }
                None => visit_mut::visit_expr_mut(self, e),
            },
        }
    }
    fn visit_macro_mut(&mut self, m: &mut syn::Macro) {
        crate::macros::visit_args_mut(m, |e| self.visit_expr_mut(e));
    }
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

impl Jumps<'_, '_> {
    /// The loop with awaits that a `break`/`continue` with `label` leaves, if it is not
    /// written natively in this arm.
    fn target(&mut self, label: Option<&str>, is_break: bool) -> Option<usize> {
        if caught_natively(&self.inner, label) {
            return None;
        }
        match label {
            None => {
                let &(id, native) = self.ctx.loops.last()?;
                if native && is_break {
                    self.ctx.broken.insert(id);
                }
                (!native).then_some(id)
            }
            Some(name) => {
                let &(id, native) = self.ctx.loops.iter().rev().find(|(id, _)| {
                    self.ctx.loop_labels[*id]
                        .as_ref()
                        .and_then(|l| l.as_deref())
                        == Some(name)
                })?;
                if native && is_break {
                    self.ctx.broken.insert(id);
                }
                (!native).then_some(id)
            }
        }
    }
}

impl<'a> Ctx<'a> {
    fn local(&self, id: LocalId) -> &crate::liveness::Local {
        &self.analysis.locals[id.0]
    }

    fn block_at(&self, path: &[(usize, usize)]) -> &'a Block {
        let mut b: &'a Block = self.root;
        for &(i, c) in path {
            match b.stmts.get(i).and_then(|s| child(s, c)) {
                Some(next) => b = next,
                None => break,
            }
        }
        b
    }

    /// The locals an arm binds: per level, from the state's fields or the jump's.
    fn levels(&self, start: Start) -> Vec<Vec<LocalId>> {
        if let Start::Resume(k) = start {
            let s = &self.analysis.suspensions[k];
            let mut levels = s.saved.clone();
            for (id, l) in s.returned.iter().zip(&s.returned_levels) {
                if levels.len() <= *l {
                    levels.resize(l + 1, Vec::new());
                }
                levels[*l].push(*id);
            }
            return levels;
        }
        start_entry(start)
            .and_then(|e| self.analysis.entries.get(&e).cloned())
            .unwrap_or_default()
    }

    /// The locals an arm declares without a value (`let x;` not assigned yet there), per level.
    fn fresh_levels(&self, start: Start) -> Vec<Vec<LocalId>> {
        if let Start::Resume(k) = start {
            return self.analysis.suspensions[k].fresh.clone();
        }
        start_entry(start)
            .and_then(|e| self.analysis.entries_fresh.get(&e).cloned())
            .unwrap_or_default()
    }

    /// `let [mut] x = x;` for the given locals and `let [mut] y[: T];` for the `fresh` ones
    /// (holding no value yet), in declaration order (the order they drop in at scope end).
    fn restore(&self, ids: &[LocalId], fresh: &[LocalId]) -> TokenStream {
        let mut all: Vec<(LocalId, bool)> = ids.iter().map(|&i| (i, false)).collect();
        all.extend(fresh.iter().map(|&i| (i, true)));
        all.sort();
        let mut out = TokenStream::new();
        for (id, fresh) in all {
            let l = self.local(id);
            let (ident, field) = (&l.ident, &l.field);
            let m = l.mutable.then(|| quote!(mut));
            out.extend(if fresh {
                match &l.ty {
                    Some(t) => quote!(let #m #ident: #t;),
                    None => quote!(let #m #ident;),
                }
            } else {
                quote!(let #m #ident = #field;)
            });
        }
        out
    }

    /// Where the code after control construct `id` goes when nothing follows it: when the
    /// construct ends the body of an enclosing branch or loop, the arm of `After(id)` would only
    /// pass its value on (`break '__jump __Goto::After<parent>` or to the loop's head), so a
    /// jump to it can go there directly (one dispatch fewer; the locals of the scopes left are
    /// dropped by the `break`, in the order the native fn drops them at the end of those
    /// scopes). Returns that end and whether the construct's value is discarded (`;`).
    fn forward(&self, id: usize) -> Option<(End, bool)> {
        let path = self.control_paths.get(id)?;
        let mut d = path.len().checked_sub(1)?;
        let last = |d: usize| {
            let b = self.block_at(&path[..d]);
            (path[d].0 + 1 == b.stmts.len()).then(|| &b.stmts[path[d].0])
        };
        let discard = match last(d)? {
            Stmt::Control {
                head: Head::Tail, ..
            } => false,
            Stmt::Control {
                head: Head::Expr, ..
            } => true,
            _ => return None,
        };
        // Up through blocks whose value it is (`{ ..; match x { .. } }` as a tail).
        loop {
            d = d.checked_sub(1)?;
            match last(d) {
                Some(Stmt::Nested {
                    head: Head::Tail, ..
                }) => continue,
                _ => break,
            }
        }
        match self.block_at(&path[..d]).stmts.get(path[d].0)? {
            Stmt::Control {
                id: parent,
                ctl: Control::Loop { .. },
                ..
            } => Some((End::Loop(*parent), discard)),
            Stmt::Control { id: parent, .. } => Some((End::After(*parent), discard)),
            _ => None,
        }
    }

    /// Where a jump to the code after control construct `id` lands (see `forward`): the code
    /// after it or after an enclosing construct, or a loop's head; `None` for a value or the
    /// end of the body.
    fn exit_entry(&self, mut id: usize) -> Option<Entry> {
        while let Some((end, _)) = self.forward(id) {
            match end {
                End::After(parent) => id = parent,
                End::Loop(parent) => return Some(Entry::LoopHead(parent)),
                _ => return None,
            }
        }
        Some(Entry::After(id))
    }

    /// Whether the code after control construct `id` holds a local as an `Option` (moved on
    /// some of its branches, see [`Analysis::flagged`]).
    fn flags_after(&self, id: usize) -> bool {
        matches!(self.exit_entry(id), Some(e @ Entry::After(_)) if self.analysis.flags_any(Point::Entry(e)))
    }

    /// [`Ctx::flags_after`], or the loop head a jump there goes to: a loop's `break`s then
    /// say `Some` or `None` for it.
    fn flags_at_exit(&self, id: usize) -> bool {
        self.exit_entry(id)
            .is_some_and(|e| self.analysis.flags_any(Point::Entry(e)))
    }

    /// A jump to `entry`: its value and the locals it carries moved into their slots, then
    /// `break '__jump __Goto::<entry>`, a marker that [`nest_arms`] turns into a `break` to the
    /// target's label or a round of the `'__back` loop once the arms' order is known.
    fn jump(&mut self, entry: Entry, value: Option<TokenStream>) -> TokenStream {
        if let Entry::After(id) = entry
            && let Some((end, discard)) = self.forward(id)
        {
            let value = value.unwrap_or_else(|| quote!(()));
            let value = if discard {
                quote!({ ::core::mem::drop(#value); })
            } else {
                value
            };
            return self.finish_value(value, end);
        }
        self.reached.insert(entry);
        self.targets.insert(entry);
        let levels = self
            .analysis
            .entries
            .get(&entry)
            .cloned()
            .unwrap_or_default();
        let mut ids: Vec<LocalId> = levels.into_iter().flatten().collect();
        ids.sort();
        // A local moved on some branches is carried as an `Option` past the join: `None` from
        // the end of a branch that moved it, `Some` from the others; already one here, as is.
        let moved: Vec<LocalId> = self
            .branches
            .last()
            .and_then(|b| self.analysis.moved_at_end.get(b))
            .cloned()
            .unwrap_or_default();
        let writes: Vec<TokenStream> = ids
            .iter()
            .map(|id| {
                let l = self.local(*id);
                let i = &l.ident;
                if !self.analysis.is_flagged(Point::Entry(entry), *id) {
                    let slot = slot_ident(&l.type_param);
                    return quote!(#slot.write(#i););
                }
                let slot = slot_ident(&flagged_param(&l.type_param));
                // Declared before this arm starts and not carried into it: moved on every way
                // here.
                let declared_before = self
                    .point
                    .and_then(|p| self.analysis.declared_before.get(&p))
                    .is_some_and(|&n| id.0 < n);
                let gone =
                    declared_before && self.carried.as_ref().is_some_and(|c| !c.contains(id));
                if self.point.is_some_and(|p| self.analysis.is_flagged(p, *id)) {
                    quote!(#slot.write(#i);)
                } else if moved.contains(id) || gone || self.arm_moved.contains(&i.to_string()) {
                    quote!(#slot.write(::core::option::Option::None);)
                } else {
                    quote!(#slot.write(::core::option::Option::Some(#i));)
                }
            })
            .collect();
        let v = entry_variant(entry);
        let value = match entry {
            Entry::After(id) => {
                let value = value.unwrap_or_else(|| quote!(()));
                let slot = slot_ident(&value_param(id));
                let tmp = ms("__v");
                quote!(let #tmp = #value; #slot.write(#tmp);)
            }
            Entry::LoopHead(_) | Entry::Before(_) => TokenStream::new(),
        };
        let j = label_jump();
        // The value is computed first, then the locals are moved into their slots, then the
        // jump: nothing between the writes and the reads at the target can panic.
        quote!({ #value #(#writes)* break #j __Goto::#v; })
    }

    /// Turns the `break`/`continue` to loops not written natively in this arm into jumps, in
    /// the code `visit` walks.
    fn rewrite_jumps(&mut self, visit: impl FnOnce(&mut Jumps<'_, 'a>)) {
        if !self.loops.is_empty() {
            visit(&mut Jumps {
                ctx: self,
                inner: Vec::new(),
            });
        }
    }

    /// Notes what verbatim code (a statement, or an expression: a condition, a scrutinee, a
    /// tail) moves on every path (see `arm_moved`).
    fn note_moves(&mut self, code: Verbatim<'_>) {
        if self.tracks_moves {
            let moves = match code {
                Verbatim::Stmt(s) => crate::liveness::certain_moves(s),
                Verbatim::Expr(e) => crate::liveness::certain_expr_moves(e),
            };
            self.arm_moved.extend(moves);
        }
    }

    /// A statement of the source, its jumps rewritten.
    fn code(&mut self, stmt: &syn::Stmt) -> TokenStream {
        let mut stmt = stmt.clone();
        self.rewrite_jumps(|j| j.visit_stmt_mut(&mut stmt));
        let t = stmt.to_token_stream();
        scan_exits(&t, &mut self.exits);
        t
    }

    /// An expression of the source (an awaitee), its jumps rewritten.
    fn code_expr(&mut self, e: &syn::Expr) -> syn::Expr {
        let mut e = e.clone();
        self.rewrite_jumps(|j| j.visit_expr_mut(&mut e));
        scan_exits(&e.to_token_stream(), &mut self.exits);
        e
    }

    fn tail(&mut self, e: &syn::Expr) -> TokenStream {
        let t = self.code(&syn::Stmt::Expr(e.clone(), None));
        // `match x {..} + 1` as a block's tail would parse as a statement then `+ 1`.
        if starts_with_block(e) && !is_block_like(e) {
            quote!((#t))
        } else {
            t
        }
    }

    /// An expression written in generated code (a condition, a guard, a `let .. else` block):
    /// jumps rewritten, early exits noted.
    fn expr(&mut self, e: &syn::Expr) -> TokenStream {
        let mut e = e.clone();
        if !self.loops.is_empty() {
            let mut j = Jumps {
                ctx: self,
                inner: Vec::new(),
            };
            j.visit_expr_mut(&mut e);
        }
        let t = e.to_token_stream();
        scan_exits(&t, &mut self.exits);
        t
    }

    /// A block's value reaching its end.
    fn finish_value(&mut self, value: TokenStream, end: End) -> TokenStream {
        let value = if value.is_empty() && !matches!(end, End::Value | End::Complete) {
            quote!(())
        } else {
            value
        };
        match end {
            End::Value => value,
            End::Complete => {
                self.exits.completes = true;
                value
            }
            End::After(id) => self.jump(Entry::After(id), Some(value)),
            End::Loop(id) => {
                let jump = self.jump(Entry::LoopHead(id), None);
                quote!(let _ = #value; #jump)
            }
        }
    }

    /// Emits statements from `start` until the block ends, suspends or jumps.
    fn emit_from(&mut self, b: &Block, start: usize, end: End) -> TokenStream {
        let mut out = TokenStream::new();
        for s in &b.stmts[start..] {
            match s {
                Stmt::Code(c) => {
                    let t = self.code(c);
                    out.extend(t);
                    self.note_moves(Verbatim::Stmt(c));
                }
                Stmt::Tail(e) => {
                    let v = self.tail(e);
                    // The value is computed before a jump writes the locals it carries.
                    self.note_moves(Verbatim::Expr(e));
                    out.extend(self.finish_value(v, end));
                    // A tail `break '__body v` (`return v`) or `continue` does not give the
                    // block a value either.
                    self.diverged = matches!(end, End::After(_) | End::Loop(_)) || stmt_leaves(s);
                    return out;
                }
                Stmt::Await(a) => {
                    out.extend(self.suspend(a.index, &a.awaitee, a.span));
                    self.diverged = true;
                    return out;
                }
                Stmt::Nested { head, block, user } => {
                    let inner = self.emit_from(block, 0, End::Value);
                    if self.diverged {
                        // It suspends or jumps before producing its value.
                        out.extend(nested_block(inner, head, *user));
                        return out;
                    }
                    // It finished natively (branches with awaits not taken): bind its value.
                    let inner = nested_block(inner, head, *user);
                    if let Some(t) = self.bind_head(head, inner, end, &mut out) {
                        return t;
                    }
                }
                Stmt::Control { id, ctl, head } => {
                    let cv = ms("__cv");
                    let branches_diverge;
                    // Locals moved on some branches only are carried past the join as
                    // `Option`s: each branch jumps there itself, with `Some` or `None`.
                    let each_jumps = !matches!(ctl, Control::Loop { .. }) && self.flags_after(*id);
                    let branch_end = if each_jumps {
                        End::After(*id)
                    } else {
                        End::Value
                    };
                    match ctl {
                        Control::If { cond, then, els } => {
                            let label = format!("if {}", crate::rewrite::compact(cond));
                            self.note_moves(Verbatim::Expr(cond));
                            let cond = self.expr(cond);
                            let before = self.arm_moved.clone();
                            self.conds.push(label.clone());
                            self.branches.push((*id, 0));
                            let then = self.emit_from(then, 0, branch_end);
                            self.arm_moved.clone_from(&before);
                            self.branches.pop();
                            let mut all_diverge = self.diverged;
                            self.conds.pop();
                            self.conds.push(format!("not {label}"));
                            self.branches.push((*id, 1));
                            let skip = Block { stmts: Vec::new() };
                            let els = match els {
                                Some(e) => {
                                    let t = self.emit_from(e, 0, branch_end);
                                    all_diverge &= self.diverged;
                                    t
                                }
                                None if each_jumps => self.emit_from(&skip, 0, branch_end),
                                None => {
                                    all_diverge = false;
                                    TokenStream::new()
                                }
                            };
                            self.arm_moved = before;
                            self.branches.pop();
                            self.conds.pop();
                            branches_diverge = all_diverge;
                            let (then, els) = (user_block(then), user_block(els));
                            out.extend(quote!(let #cv = if #cond #then else #els;));
                        }
                        Control::Match { scrut, arms } => {
                            self.note_moves(Verbatim::Expr(scrut));
                            let scrut = self.expr(scrut);
                            let before = self.arm_moved.clone();
                            let mut ts = Vec::new();
                            let mut all_diverge = true;
                            for (n, arm) in arms.iter().enumerate() {
                                self.arm_moved.clone_from(&before);
                                let mut label =
                                    format!("match {}", crate::rewrite::compact(&arm.pat));
                                if let Some(g) = &arm.guard {
                                    label.push_str(&format!(" if {}", crate::rewrite::compact(g)));
                                }
                                self.conds.push(label);
                                self.branches.push((*id, n));
                                let (pat, body) =
                                    (&arm.pat, self.emit_from(&arm.body, 0, branch_end));
                                self.branches.pop();
                                all_diverge &= self.diverged;
                                self.conds.pop();
                                let guard = arm.guard.as_ref().map(|g| {
                                    let g = self.expr(g);
                                    quote!(if #g)
                                });
                                let body = user_block(body);
                                ts.push(quote!(#pat #guard => #body));
                            }
                            out.extend(quote!(let #cv = match #scrut { #(#ts)* };));
                            self.arm_moved = before;
                            branches_diverge = all_diverge;
                        }
                        Control::Loop { .. } => {
                            out.extend(self.jump(Entry::LoopHead(*id), None));
                            self.diverged = true;
                            return out;
                        }
                    }
                    if each_jumps {
                        // Every branch suspends or jumps: nothing follows in this arm.
                        self.diverged = true;
                        return out;
                    }
                    if self.native {
                        if branches_diverge {
                            // Every branch suspends or jumps: nothing follows in this arm.
                            self.diverged = true;
                            return out;
                        }
                        if !self.anonymous_after.get(id).copied().unwrap_or(true) {
                            if let Some(t) = self.bind_head(head, quote!(#cv), end, &mut out) {
                                return t;
                            }
                            continue;
                        }
                    }
                    out.extend(self.jump(Entry::After(*id), Some(quote!(#cv))));
                    self.diverged = true;
                    return out;
                }
            }
        }
        // A block whose last statement leaves it (`return ..;`, `break;`, `panic!(..);`) does
        // not go on: no jump after it (unreachable, it would still name the locals the target
        // carries, some maybe never assigned in this arm: E0282 on their declaration).
        if b.stmts.len() > start && b.stmts.last().is_some_and(stmt_leaves) {
            self.diverged = true;
            return out;
        }
        out.extend(self.finish_value(TokenStream::new(), end));
        self.diverged = matches!(end, End::After(_) | End::Loop(_));
        out
    }

    /// Uses a statement's value as its head says; `Some(out)` when the block ends there (a tail).
    fn bind_head(
        &mut self,
        head: &Head,
        value: TokenStream,
        end: End,
        out: &mut TokenStream,
    ) -> Option<TokenStream> {
        match head {
            Head::Let(p) => out.extend(quote!(let #p = #value;)),
            Head::LetElse(p, d) => {
                let d = self.expr(d);
                out.extend(quote!(let #p = (#value) else #d;));
            }
            Head::Expr => out.extend(quote!(::core::mem::drop(#value);)),
            Head::Tail => {
                out.extend(self.finish_value(value, end));
                self.diverged = matches!(end, End::After(_) | End::Loop(_));
                return Some(std::mem::take(out));
            }
        }
        None
    }

    /// Stores the awaitee and the saved locals, then polls the new state.
    fn suspend(&mut self, k: usize, awaitee: &syn::Expr, at: Span) -> TokenStream {
        self.exits.next.insert(k);
        if !self.conds.is_empty() {
            self.exits
                .conditions
                .entry(k)
                .or_insert_with(|| self.conds.join(" · "));
        }
        // Only awaitees of a type new at each place they are written count (a wrapper, an
        // `async` block, a closure): others are simply built in each arm that reaches them.
        if self.analysis.suspensions[k].wrapped || expr_defines_anonymous(awaitee) {
            *self.built.entry(k).or_default() += 1;
        }
        if self.shared_builds.contains(&k) && self.building != Some(k) {
            // Reached in more than one arm: built in the arm of `Before<k>` only.
            return self.jump(Entry::Before(k), None);
        }
        let awaitee = &self.code_expr(awaitee);
        let s = &self.analysis.suspensions[k];
        let variant = format_ident!("Suspend{}", k, span = Span::mixed_site());
        let mut ids: Vec<LocalId> = s.saved.iter().flatten().copied().collect();
        ids.sort();
        ids.reverse();
        let fields = ids.iter().map(|id| {
            let l = self.local(*id);
            // The local's name as the declaration resolves it, located at the `.await`: when
            // it may have been moved before (on some paths only, which rustc tracks with drop
            // flags and syntax cannot see, README), E0382's "value used here after move"
            // points at the await that saves it rather than at its declaration.
            let mut i = l.ident.clone();
            i.set_span(i.span().located_at(at));
            let f = &l.field;
            quote!(#f: ::core::mem::MaybeUninit::new(#i))
        });
        let aw = ms("__awaitee");
        let into = quote_spanned!(Span::mixed_site()=> ::core::future::IntoFuture::into_future);
        let make = if s.wrapped {
            let ret = s.returned.iter().map(|id| &self.local(*id).ident);
            let mut by_decl: Vec<LocalId> = s.returned.clone();
            by_decl.sort();
            let drop_order = by_decl.iter().rev().map(|id| &self.local(*id).ident);
            let o = ms("__o");
            // The mention fixes the captures' order, which is the order an `async` block
            // drops them in when cancelled: reverse declaration order, as the native fn.
            // Located at the `.await`: when the output borrows a local the wrapper hands back
            // (`let g = m.lock().await` with `m` an `Arc<Mutex<_>>` kept after), rustc's
            // "returns a value referencing data owned by the current function" points there.
            let at = Span::call_site().located_at(at);
            // An `async` block without `move` awaited in place (`async { join!(..) }.await`,
            // how `join!`/`select!` are lowered) runs its body here at once: written inline,
            // not as a second future inside the wrapper (its own state and captures), unless a
            // `return`, `?`, `break` or `continue` in it would then leave the wrapper instead.
            let awaited = match awaitee {
                syn::Expr::Async(a)
                    if a.capture.is_none()
                        && a.attrs.is_empty()
                        && crate::macros::leaving_token(
                            &a.block.stmts.iter().map(|s| s.to_token_stream()).collect(),
                        )
                        .is_none() =>
                {
                    let b = &a.block;
                    quote!(#b)
                }
                _ => quote!(#awaitee.await),
            };
            quote_spanned!(at=> async move {
                let _ = (#(&#drop_order,)*);
                let #o = #awaited;
                (#o, #(#ret,)*)
            })
        } else {
            quote!(#into(#awaitee))
        };
        let p = &self.private;
        let next = if self.sequential {
            let l = label_resume(k);
            quote!(break #l;)
        } else {
            // Polled here, where rustc knows the awaitee's type: `Pending` returns at once
            // (no dispatch on the state first); a first `Ready` leaves its output in a slot
            // and jumps to the code resuming at this await, the arm `Ready<k>` further down (a
            // `break`, see [`nest_arms`]): as a round of a loop (through the dispatch again),
            // it made LLVM keep the saved locals in registers across the poll, spilling
            // callee-saved registers on every poll.
            let ready = ready_slot(k);
            let rv = format_ident!("Ready{}", k, span = Span::mixed_site());
            let j = label_jump();
            quote! {
                let __State::#variant { #aw, .. } = &mut *__s else { ::core::unreachable!() };
                // SAFETY: the awaitee was just moved into the pinned state and is polled in
                // place; it is dropped in place by `vacate` or with the state.
                match unsafe { #p::poll_awaitee(#aw, __cx) } {
                    ::core::task::Poll::Pending => return ::core::task::Poll::Pending,
                    ::core::task::Poll::Ready(__o) => {
                        #ready.write(__o);
                        break #j __Goto::#rv;
                    }
                }
            }
        };
        // Locals dropped here rather than saved (they borrow a saved local and are not used
        // after): checked to have no destructor (the error points at their initializer). One
        // with a destructor that needs the borrow is rejected by the borrow checker first (the
        // local it borrows moves into the state before it drops); the check is for the others
        // (`Vec<(Noisy, &T)>`, a struct holding a reference and a value with a destructor).
        let checks = s.dropped_early.iter().map(|id| {
            let l = self.local(*id);
            let i = &l.ident;
            // Located at the initializer (with the call site's hygiene): the error, raised when
            // the fn is instantiated, points there.
            let at = Span::call_site().located_at(l.init_span);
            let check: TokenStream = quote!(#p::dropped_before_await)
                .into_iter()
                .map(|mut t| {
                    t.set_span(at);
                    t
                })
                .collect();
            quote_spanned!(at=> #check(&#i);)
        });
        quote! {
            #(#checks)*
            let #aw = #make;
            // SAFETY: the body runs while the state is `Panicked`, which holds nothing.
            unsafe {
                #p::store(__s, __State::#variant {
                    #aw: ::core::mem::MaybeUninit::new(#aw),
                    #(#fields),*
                })
            };
            #next
        }
    }

    /// The code of an arm: restores the locals, re-opens the scopes around the start point,
    /// and runs to the next suspension, jump or the end.
    fn emit_start(&mut self, start: Start) -> TokenStream {
        let path = match start {
            Start::Resume(k) | Start::Before(k) => self.await_paths[k].clone(),
            Start::After(id) | Start::LoopHead(id) => self.control_paths[id].clone(),
        };
        let levels = self.levels(start);
        // (With those declared without a value there, which the arm may assign.)
        let fresh_ids = self.fresh_levels(start).into_iter().flatten();
        self.carried = Some(levels.iter().flatten().copied().chain(fresh_ids).collect());
        self.native = matches!(start, Start::LoopHead(_));
        self.arm_moved.clear();
        let d = path.len() - 1;
        // The innermost branch or loop around the start point: its scopes end in other arms.
        let boundary = (0..d).rev().find(|&l| {
            matches!(
                self.block_at(&path[..l]).stmts.get(path[l].0),
                Some(Stmt::Control { .. })
            )
        });
        let first = boundary.map_or(0, |b| b + 1);
        self.point = Some(match start {
            Start::Resume(k) => Point::Suspension(k),
            Start::After(id) => Point::Entry(Entry::After(id)),
            Start::LoopHead(id) => Point::Entry(Entry::LoopHead(id)),
            Start::Before(k) => Point::Entry(Entry::Before(k)),
        });
        // The branch the start point is in (its end jumps to the code after the construct).
        self.branches.clear();
        if let Some(b) = boundary
            && let Some(Stmt::Control {
                id,
                ctl: Control::If { .. } | Control::Match { .. },
                ..
            }) = self.block_at(&path[..b]).stmts.get(path[b].0)
        {
            self.branches.push((*id, path[b].1));
        }
        let mut out = TokenStream::new();
        let outer: Vec<LocalId> = levels.iter().take(first).flatten().copied().collect();
        let fresh = self.fresh_levels(start);
        let outer_fresh: Vec<LocalId> = fresh.iter().take(first).flatten().copied().collect();
        out.extend(self.restore(&outer, &outer_fresh));
        // Loops with awaits around the start point, none written natively here.
        self.loops.clear();
        for l in 0..d {
            if let Some(Stmt::Control {
                id,
                ctl: Control::Loop { .. },
                ..
            }) = self.block_at(&path[..l]).stmts.get(path[l].0)
            {
                self.loops.push((*id, false));
            }
        }
        let end = match boundary {
            None => End::Complete,
            Some(b) => match self.block_at(&path[..b]).stmts.get(path[b].0) {
                Some(Stmt::Control {
                    id,
                    ctl: Control::Loop { .. },
                    ..
                }) => End::Loop(*id),
                Some(Stmt::Control { id, .. }) => End::After(*id),
                _ => End::Complete,
            },
        };
        let inner = self.emit_frames(&path, first, d, start, &levels, end);
        out.extend(inner);
        drop_unused_declarations(out)
    }

    fn emit_frames(
        &mut self,
        path: &Path,
        l: usize,
        d: usize,
        start: Start,
        levels: &[Vec<LocalId>],
        end: End,
    ) -> TokenStream {
        let b = self.block_at(&path[..l]);
        let fresh = self.fresh_levels(start);
        let mut out = self.restore(
            levels.get(l).map(Vec::as_slice).unwrap_or(&[]),
            fresh.get(l).map(Vec::as_slice).unwrap_or(&[]),
        );
        let i = path[l].0;
        let (head, inner) = if l == d {
            match (start, &b.stmts[i]) {
                (Start::Resume(_), Stmt::Await(a)) => {
                    let o = ms("__out");
                    out.extend(match &a.bind {
                        Bind::Pat(p) => quote!(let #p = #o;),
                        Bind::Hidden(v) => quote!(let mut #v = #o;),
                        Bind::Discard => quote!(::core::mem::drop(#o);),
                    });
                    let rest = self.emit_from(b, i + 1, end);
                    out.extend(rest);
                    return out;
                }
                (Start::Before(k), Stmt::Await(a)) if a.index == k => {
                    self.building = Some(k);
                    out.extend(self.suspend(a.index, &a.awaitee, a.span));
                    self.building = None;
                    self.diverged = true;
                    return out;
                }
                (Start::After(_), Stmt::Control { head, .. }) => {
                    let v = ms("__value");
                    (head.clone(), quote!(#v))
                }
                (
                    Start::LoopHead(_),
                    Stmt::Control {
                        id,
                        ctl:
                            Control::Loop {
                                label,
                                body,
                                repeats,
                            },
                        ..
                    },
                ) => {
                    // A local carried past it as an `Option` (moved on some ways out): its
                    // `break`s are jumps, each with its `Some` or `None`, not native.
                    let native = !self.flags_at_exit(*id);
                    self.loops.push((*id, native));
                    self.broken.remove(id);
                    self.conds.push(match (repeats, label) {
                        (false, Some(l)) if !l.ident.to_string().starts_with("__") => {
                            format!("{l}: {{..}}")
                        }
                        (false, _) => "let chain".to_string(),
                        (true, _) => "loop".to_string(),
                    });
                    let body = self.emit_from(body, 0, End::Value);
                    self.conds.pop();
                    self.loops.pop();
                    let breaks = self.broken.contains(id);
                    let lv = ms("__lv");
                    let label = label.as_ref().map(|l| quote!(#l:));
                    let body = user_block(body);
                    out.extend(quote!(let #lv = #label loop #body;));
                    if !breaks {
                        // No `break` leaves the loop in this arm: nothing follows it here.
                        self.diverged = true;
                        return out;
                    }
                    if self.anonymous_after.get(id).copied().unwrap_or(true) {
                        // What follows defines a closure, an `async` block or an opaque macro:
                        // written once, in the arm of `After<id>`.
                        out.extend(self.jump(Entry::After(*id), Some(quote!(#lv))));
                        self.diverged = true;
                        return out;
                    }
                    // After a `break`, the code that follows the loop runs here natively.
                    let Stmt::Control { head, .. } = &b.stmts[i] else {
                        return out;
                    };
                    if let Some(t) = self.bind_head(head, quote!(#lv), end, &mut out) {
                        return t;
                    }
                    let rest = self.emit_from(b, i + 1, end);
                    out.extend(rest);
                    return out;
                }
                _ => {
                    self.diverged = false;
                    return out;
                }
            }
        } else {
            let Stmt::Nested { head, user, .. } = &b.stmts[i] else {
                return out;
            };
            let inner = self.emit_frames(path, l + 1, d, start, levels, End::Value);
            if self.diverged {
                // The frame suspends or jumps before producing its value: nothing after it in
                // this arm (that code runs in the arm of the suspension or jump target).
                out.extend(nested_block(inner, head, *user));
                return out;
            }
            (head.clone(), nested_block(inner, head, *user))
        };
        match head {
            Head::Let(p) => out.extend(quote!(let #p = #inner;)),
            Head::LetElse(p, d) => {
                let d = self.expr(&d);
                out.extend(quote!(let #p = (#inner) else #d;));
            }
            Head::Expr => out.extend(quote!(::core::mem::drop(#inner);)),
            Head::Tail => {
                // The block's value: nothing may follow.
                out.extend(self.finish_value(inner, end));
                self.diverged = matches!(end, End::After(_) | End::Loop(_));
                return out;
            }
        }
        let rest = self.emit_from(b, i + 1, end);
        out.extend(rest);
        out
    }
}

/// Replaces `impl Trait` with `_` (a closure or `let` cannot name it).
fn infer_impl(ty: &syn::Type) -> syn::Type {
    struct R;
    impl syn::visit_mut::VisitMut for R {
        fn visit_type_mut(&mut self, t: &mut syn::Type) {
            if matches!(t, syn::Type::ImplTrait(_)) {
                *t = syn::parse_quote!(_);
            } else {
                syn::visit_mut::visit_type_mut(self, t);
            }
        }
    }
    let mut t = ty.clone();
    syn::visit_mut::VisitMut::visit_type_mut(&mut R, &mut t);
    t
}

/// Generates the lowered fn.
pub fn generate(
    f: &AsyncFn,
    body: &Block,
    items: &[syn::Stmt],
    analysis: &Analysis,
    config: &Config,
    async_tail: bool,
    awaits: &[(String, Span)],
) -> Generated {
    let pass = |shared: &BTreeSet<usize>| {
        generate_pass(f, body, items, analysis, config, async_tail, awaits, shared)
    };
    let (g, built) = pass(&BTreeSet::new());
    // Code after a branch or a loop runs natively in the arm that starts at the body or the
    // loop's head and also in the arm jumped to from elsewhere: an await reached in both would
    // build its awaitee twice, and two `async` blocks (or closures) written at two places have
    // two types, which one state variant cannot hold. Those awaits get an arm of their own.
    let shared: BTreeSet<usize> = built
        .into_iter()
        .filter(|&(_, n)| n > 1)
        .map(|(k, _)| k)
        .collect();
    if shared.is_empty() {
        return g;
    }
    pass(&shared).0
}

#[allow(clippy::too_many_arguments)]
fn generate_pass<'a>(
    f: &AsyncFn,
    body: &'a Block,
    items: &[syn::Stmt],
    analysis: &'a Analysis,
    config: &Config,
    async_tail: bool,
    awaits: &[(String, Span)],
    shared_builds: &'a BTreeSet<usize>,
) -> (Generated, std::collections::BTreeMap<usize, usize>) {
    let p = config.private();
    let mut ctx = Ctx {
        analysis,
        root: body,
        await_paths: Vec::new(),
        control_paths: Vec::new(),
        loop_labels: Vec::new(),
        exits: Exits::default(),
        reached: BTreeSet::new(),
        loops: Vec::new(),
        targets: BTreeSet::new(),
        conds: Vec::new(),
        diverged: false,
        broken: BTreeSet::new(),
        arm_moved: HashSet::new(),
        tracks_moves: !analysis.flagged.is_empty(),
        native: false,
        ranks: Vec::new(),
        await_ranks: Vec::new(),
        rank: 0,
        sequential: false,
        private: p.clone(),
        built: Default::default(),
        shared_builds,
        building: None,
        anonymous_after: Default::default(),
        point: None,
        branches: Vec::new(),
        carried: None,
    };
    // With branches or loops holding awaits, code is reached through internal jumps; all code
    // arms then sit in one dispatch `match`, in source order, so types are inferred in order.
    let control_mode = body_has_control(body);
    if control_mode {
        anonymous_after(body, false, &mut ctx.anonymous_after);
    }
    ctx.sequential = !control_mode;
    find_paths(&mut ctx, body, &mut Vec::new());
    let n_awaits = analysis.suspensions.len();

    // Type parameters: per parameter, awaitee and saved local.
    let mut type_params: Vec<Ident> = Vec::new();
    let mut unresumed_fields = Vec::new();
    let mut unresumed_values = Vec::new();
    let mut hide_params = TokenStream::new();
    let mut prologue = TokenStream::new();
    for (i, param) in f.params.iter().enumerate() {
        let field = &param.field;
        match &param.kind {
            ParamKind::Receiver { mutable, span } => {
                let l = analysis
                    .locals
                    .iter()
                    .find(|l| l.origin == Origin::Receiver)
                    .map(|l| (l.type_param.clone(), l.ident.clone()));
                let (tp, ident) = l.unwrap_or_else(|| (ms("SelfValue"), ms("__self")));
                unresumed_fields.push(quote!(#field: ::core::mem::MaybeUninit<#tp>));
                type_params.push(tp);
                let self_token = Ident::new("self", *span);
                unresumed_values.push(quote!(#field: ::core::mem::MaybeUninit::new(#self_token)));
                let m = mutable.then(|| quote!(mut));
                prologue.extend(quote!(let #m #ident = #field;));
            }
            ParamKind::Ident { ident, mutable } => {
                let tp = analysis
                    .locals
                    .iter()
                    .find(|l| l.origin == Origin::Param(i))
                    .map(|l| l.type_param.clone())
                    .unwrap_or_else(|| format_ident!("Arg{}", i, span = Span::mixed_site()));
                unresumed_fields.push(quote!(#field: ::core::mem::MaybeUninit<#tp>));
                type_params.push(tp);
                unresumed_values.push(quote!(#field: ::core::mem::MaybeUninit::new(#ident)));
                // Renamed (shadowed in the body): the parameter's own name, which the body's code
                // can still write where renaming does not reach (an opaque macro's tokens), must
                // not find the fn's parameter, which the step closure would capture (a copy of
                // it, silently, for a `Copy` type): it names a value of a type of its own there.
                if param.rename.is_some() {
                    hide_params.extend(quote! {
                        #[allow(unused_variables)]
                        let #ident = #p::ShadowedParameter;
                    });
                }
                let m = mutable.then(|| quote!(mut));
                let body_ident = param.rename.as_ref().unwrap_or(ident);
                prologue.extend(quote!(let #m #body_ident = #field;));
            }
            ParamKind::Pattern(pat) => {
                let (tp, hidden) = analysis
                    .locals
                    .iter()
                    .find(|l| l.origin == Origin::Param(i))
                    .map(|l| (l.type_param.clone(), l.ident.clone()))
                    .unwrap_or_else(|| {
                        (
                            format_ident!("Arg{}", i, span = Span::mixed_site()),
                            field.clone(),
                        )
                    });
                unresumed_fields.push(quote!(#field: ::core::mem::MaybeUninit<#tp>));
                type_params.push(tp);
                // The signature gets a plain name for it: `__argN: T`.
                unresumed_values.push(quote!(#field: ::core::mem::MaybeUninit::new(#field)));
                prologue.extend(quote!(let #hidden = #field; let #pat = #hidden;));
            }
        }
    }
    let mut variants = Vec::new();
    let mut state_names = Vec::new();
    let mut drop_arms = Vec::new();
    for k in 0..n_awaits {
        let s = &analysis.suspensions[k];
        let fut = format_ident!("Fut{}", k, span = Span::mixed_site());
        type_params.push(fut.clone());
        let mut ids: Vec<LocalId> = s.saved.iter().flatten().copied().collect();
        ids.sort();
        // Fields declared longest-lived first, the awaitee last (the drop order is the `Drop`
        // impl's, below): rustc lays a variant's fields out in declaration order within a size
        // class, so a local saved across several awaits tends to keep its offset, and moving it
        // out on resume and back on suspend writes the same place.
        let mut fields = Vec::new();
        for id in &ids {
            let l = &analysis.locals[id.0];
            let (field, tp) = (&l.field, &l.type_param);
            if !type_params.contains(tp) {
                type_params.push(tp.clone());
            }
            if analysis.is_flagged(Point::Suspension(k), *id) {
                // Moved on some branches before: `None` there (its drop flag).
                fields.push(quote!(#field: ::core::mem::MaybeUninit<::core::option::Option<#tp>>));
            } else {
                fields.push(quote!(#field: ::core::mem::MaybeUninit<#tp>));
            }
        }
        fields.push(quote!(__awaitee: ::core::mem::MaybeUninit<#fut>));
        let v = format_ident!("Suspend{}", k, span = Span::mixed_site());
        let doc = format!(
            " Waiting for `{}.await`{}: the awaitee and the locals saved across it (dropped in that order, the locals in reverse declaration order).",
            awaits.get(k).map_or("?", |a| a.0.as_str()),
            if s.wrapped {
                " (wrapped in an `async move` block that holds the locals it borrows)"
            } else {
                ""
            }
        );
        variants.push(quote!(#[doc = #doc] #v { #(#fields),* }));
        // Drop order: the awaitee, then the locals in reverse declaration order.
        let locals = ids.iter().rev().map(|id| &analysis.locals[id.0].field);
        // SAFETY: a suspension's fields are all initialized (stored whole by `store`; `vacate`
        // overwrites it once they are moved out), and `drop` runs once.
        let locals: Vec<_> = locals.collect();
        drop_arms.push(quote! {
            __State::#v { __awaitee, #(#locals),* } => unsafe {
                #p::drop_suspended(__awaitee, (#(#p::take(#locals),)*))
            }
        });
        state_names.push(v);
    }

    // The arms.
    let ret_ty: syn::Type = match &f.sig.output {
        syn::ReturnType::Default => syn::parse_quote!(()),
        syn::ReturnType::Type(_, t) => (**t).clone(),
    };
    let ret_infer = infer_impl(&ret_ty);
    let body_lbl = body_label();
    let ret = ms("__ret");
    let finish = quote! {
        // SAFETY: the body runs while the state is `Panicked`, which holds nothing.
        unsafe { #p::store(__s, __State::Returned) };
        return ::core::task::Poll::Ready(#ret);
    };
    let mut exits = Vec::new();

    let uf: Vec<&Ident> = f.params.iter().map(|p| &p.field).collect();
    // SAFETY: the arguments are initialized while the state is `Unresumed`; `drop` runs once.
    let unresumed_drop = quote! {
        __State::Unresumed { #(#uf),* } => unsafe { ::core::mem::drop((#(#p::take(#uf),)*)) },
    };
    let mut arm_reached: Vec<BTreeSet<Entry>> = Vec::new();
    // In control mode, the code of every state is an arm of the jump dispatch, in source order.
    // (source rank, 0 for the arm building an awaitee, which rustc must check before the arm
    // polling it, else 1; code).
    let mut code_arms: Vec<(usize, u8, Vec<Ident>, TokenStream)> = Vec::new();
    // `Start`, then `Resume<k>` in order, as the state's variants (`Unresumed`, `Suspend<k>`): the
    // dispatch from the state's tag to `__Goto` is then the identity, which LLVM compiles to a
    // range check instead of a second jump table. Then `Ready<k>`, then the jump targets (in
    // this order LLVM lays out `match_heavy` best: 1.25 against 1.42 with `Ready<k>` last).
    let mut goto_variants = Vec::new();
    let mut ready_variants = Vec::new();
    // Control mode: the type parameters whose values jumps carry, one `MaybeUninit` slot each.
    let mut slots: Vec<Ident> = Vec::new();
    ctx.loops.clear();
    ctx.native = true;
    let seg = drop_unused_declarations(ctx.emit_from(body, 0, End::Complete));
    let ub = user_block(quote!(#prologue #seg));
    exits.push(std::mem::take(&mut ctx.exits));
    arm_reached.push(std::mem::take(&mut ctx.reached));
    // The arguments are read in place (`mem::replace` would copy the whole state out first).
    let take_args = if uf.is_empty() {
        quote! {
            // SAFETY: `Unresumed` holds nothing here.
            unsafe { #p::store(__s, __State::Panicked) };
        }
    } else {
        quote! {
            // SAFETY: `__sp` is the state, derived at the top of this poll, and it is
            // `Unresumed` (the dispatch matched it); nothing has used it since.
            let __State::Unresumed { #(#uf),* } = (unsafe { &mut *__sp }) else {
                ::core::unreachable!()
            };
            // SAFETY: each argument is read exactly once, then the state is overwritten with
            // `Panicked` without dropping them; nothing between can panic.
            let (#(#uf,)*) = unsafe { (#(#p::take(#uf),)*) };
            // SAFETY: the arguments were all moved out just above.
            unsafe { #p::store(__s, __State::Panicked) };
        }
    };
    let unresumed_arm = if control_mode {
        // The dispatch only says where to go; the `Start` arm, reached from it alone (no jump
        // goes there), reads the arguments.
        let start = ms("Start");
        goto_variants.push(quote!(#start));
        code_arms.push((
            0,
            1,
            vec![start.clone()],
            quote! {
                #take_args
                let #ret: #ret_infer = #body_lbl: #ub;
                #finish
            },
        ));
        quote!(__State::Unresumed { .. } => __Goto::#start,)
    } else {
        quote! {
            __State::Unresumed { .. } => {
                #take_args
                let #ret: #ret_infer = #body_lbl: #ub;
                #finish
            }
        }
    };
    let mut suspend_arms = Vec::new();
    // Control-flow fns: per await, the output of a first poll that was `Ready` at the suspension.
    let mut ready_slots: Vec<TokenStream> = Vec::new();
    // Sequential fns: the code resuming at each await, in order.
    let mut resume_code: Vec<TokenStream> = Vec::new();
    for (k, v) in state_names.iter().enumerate() {
        let s = &analysis.suspensions[k];
        let mut ids: Vec<LocalId> = s.saved.iter().flatten().copied().collect();
        ids.sort();
        ids.reverse();
        let fields: Vec<&Ident> = ids.iter().map(|id| &analysis.locals[id.0].field).collect();
        let ub = user_block(ctx.emit_start(Start::Resume(k)));
        exits.push(std::mem::take(&mut ctx.exits));
        arm_reached.push(std::mem::take(&mut ctx.reached));
        let out = ms("__out");
        let aw = ms("__awaitee");
        let unpack = if s.wrapped {
            let ret_fields = s.returned.iter().map(|id| &analysis.locals[id.0].field);
            quote!(let (#out, #(#ret_fields,)*) = #out;)
        } else {
            TokenStream::new()
        };
        let take_fields = (!fields.is_empty()).then(|| {
            quote! {
                // SAFETY: each saved local is read exactly once; `vacate` then drops the
                // awaitee in place and marks the state `Panicked` without dropping them again.
                let (#(#fields,)*) = unsafe { (#(#p::take(#fields),)*) };
            }
        });
        let take_and_vacate = quote! {
            let #aw: *mut _ = #aw;
            #take_fields
            // SAFETY: as above; `__sp` is the state and `__awaitee` its live awaitee.
            unsafe { #p::vacate(__sp, #aw) };
            #unpack
        };
        // The output of the awaitee, or `return Pending`.
        let poll_ready = quote! {
            // SAFETY: the awaitee lives in the pinned state and is only ever polled in place;
            // it is dropped in place by `vacate` below or with the state.
            match unsafe { #p::poll_awaitee(#aw, __cx) } {
                ::core::task::Poll::Ready(__o) => __o,
                ::core::task::Poll::Pending => return ::core::task::Poll::Pending,
            }
        };
        if control_mode {
            // The state arm only says where to go on; the poll happens in the code arm, which
            // sits after the code that stores this state, so rustc knows the awaitee's type when
            // it checks the poll (checking it before makes type-checking quadratic).
            let rv = format_ident!("Resume{}", k, span = Span::mixed_site());
            let rdy = format_ident!("Ready{}", k, span = Span::mixed_site());
            let ready = ready_slot(k);
            goto_variants.push(quote!(#rv));
            ready_variants.push(quote!(#rdy));
            ready_slots.push(quote!(let mut #ready = ::core::mem::MaybeUninit::uninit();));
            let rank = ctx.await_ranks.get(k).copied().unwrap_or(0);
            // Two arms, one after the other: `Resume<k>` (from the dispatch on the state) polls
            // the awaitee and, when it is `Ready`, falls through into `Ready<k>` with the output
            // in the slot; the suspension whose first poll was `Ready` jumps to `Ready<k>`
            // directly (a forward `break`). No arm reads `__goto`: with one arm for both,
            // reading it to skip the poll, LLVM kept a check per resume and the saved locals in
            // registers across the poll.
            code_arms.push((
                rank,
                1,
                vec![rv.clone()],
                quote! {
                    let __State::#v { #aw, .. } = &mut *__s else { ::core::unreachable!() };
                    // SAFETY: the awaitee lives in the pinned state, is only ever polled in
                    // place and is dropped in place by `vacate` (next arm) or with the state.
                    match unsafe { #p::poll_awaitee(#aw, __cx) } {
                        ::core::task::Poll::Ready(__o) => {
                            #ready.write(__o);
                        }
                        ::core::task::Poll::Pending => return ::core::task::Poll::Pending,
                    }
                },
            ));
            code_arms.push((
                rank,
                2,
                vec![rdy.clone()],
                quote! {
                    // Derived again: the suspension jumping here has written the state through
                    // `__s`.
                    let __sp: *mut _ = __s;
                    // Checked, not `unreachable_unchecked` (2 instructions per resume, 3% of
                    // `match_heavy` polled as a task, BENCHMARKS.md): a codegen bug stays a
                    // panic, not undefined behaviour.
                    // SAFETY: `__sp` was just derived from `__s`, the only reference to the
                    // state.
                    let __State::#v { #aw, #(#fields),* } = (unsafe { &mut *__sp }) else {
                        ::core::unreachable!()
                    };
                    // SAFETY: both ways here write the slot just before: the arm above, falling
                    // through once the awaitee is `Ready`, and the suspension whose first poll
                    // was `Ready`, jumping here; only this arm reads it.
                    let #out = unsafe { #ready.assume_init_read() };
                    #take_and_vacate
                    let #ret: #ret_infer = #body_lbl: #ub;
                    #finish
                },
            ));
            suspend_arms.push(quote! {
                __State::#v { .. } => __Goto::#rv,
            });
        } else {
            let l = label_resume(k);
            suspend_arms.push(quote! {
                __State::#v { .. } => break #l,
            });
            resume_code.push(quote! {
                // Derived again: the code falling through here has written the state through
                // `__s` since the dispatch.
                let __sp: *mut _ = __s;
                // SAFETY: `__sp` was just derived from `__s`, the only reference to the state.
                let __State::#v { #aw, #(#fields),* } = (unsafe { &mut *__sp }) else {
                    ::core::unreachable!()
                };
                let #out = #poll_ready;
                #take_and_vacate
                let #ret: #ret_infer = #body_lbl: #ub;
                #finish
            });
        }
    }

    // Internal jump targets: the code after a branch or loop with awaits, and loop heads.
    // Each has its own arm of the dispatch loop (arms that start at the body or a loop head also
    // run it natively); jumps carry the live locals.
    let mut entry_exits: std::collections::BTreeMap<Entry, (Exits, BTreeSet<Entry>)> =
        Default::default();
    let mut done: BTreeSet<Entry> = BTreeSet::new();
    goto_variants.append(&mut ready_variants);
    while let Some(&entry) = ctx.targets.iter().find(|e| !done.contains(e)) {
        done.insert(entry);
        let (start, rank) = match entry {
            Entry::After(id) => (Start::After(id), ctx.ranks.get(id).map_or(0, |r| r.1)),
            Entry::LoopHead(id) => (Start::LoopHead(id), ctx.ranks.get(id).map_or(0, |r| r.0)),
            Entry::Before(k) => (
                Start::Before(k),
                ctx.await_ranks.get(k).copied().unwrap_or(0),
            ),
        };
        let ub = user_block(ctx.emit_start(start));
        entry_exits.insert(
            entry,
            (
                std::mem::take(&mut ctx.exits),
                std::mem::take(&mut ctx.reached),
            ),
        );
        let levels = analysis.entries.get(&entry).cloned().unwrap_or_default();
        let mut ids: Vec<LocalId> = levels.into_iter().flatten().collect();
        ids.sort();
        let v = entry_variant(entry);
        let mut binds = Vec::new();
        let mut reads = Vec::new();
        if let Entry::After(id) = entry {
            let tp = value_param(id);
            binds.push(ms("__value"));
            reads.push(slot_ident(&tp));
            slots.push(tp);
        }
        for id in &ids {
            let l = &analysis.locals[id.0];
            binds.push(l.field.clone());
            let tp = if analysis.is_flagged(Point::Entry(entry), *id) {
                flagged_param(&l.type_param)
            } else {
                l.type_param.clone()
            };
            reads.push(slot_ident(&tp));
            if !slots.contains(&tp) {
                slots.push(tp);
            }
        }
        goto_variants.push(quote!(#v));
        let read = (!binds.is_empty()).then(|| {
            quote! {
                // SAFETY: every jump here (`break '__jump __Goto::#v`) writes these slots just
                // before it, and this arm is the only place that reads them.
                let (#(#binds,)*) = unsafe { (#(#reads.assume_init_read(),)*) };
            }
        });
        code_arms.push((
            rank,
            u8::from(!matches!(entry, Entry::Before(_))),
            vec![v.clone()],
            quote! {
                #read
                let #ret: #ret_infer = #body_lbl: #ub;
                #finish
            },
        ));
    }
    // Source order: rustc checks the code that builds an awaitee before the code polling it.
    code_arms.sort_by_key(|(rank, sub, _, _)| (*rank, *sub));
    // Where each state's code can go, through internal jumps.
    for (ex, reached) in exits.iter_mut().zip(&arm_reached) {
        let mut seen: BTreeSet<Entry> = BTreeSet::new();
        let mut todo: Vec<Entry> = reached.iter().copied().collect();
        while let Some(e) = todo.pop() {
            if !seen.insert(e) {
                continue;
            }
            if let Some((x, more)) = entry_exits.get(&e) {
                ex.next.extend(x.next.iter().copied());
                for (k, c) in &x.conditions {
                    ex.conditions.entry(*k).or_insert_with(|| c.clone());
                }
                ex.returns |= x.returns;
                ex.question |= x.question;
                ex.completes |= x.completes;
                todo.extend(more.iter().copied());
            }
        }
    }

    // The item.
    let mut sig = f.sig.clone();
    sig.asyncness = None;
    for (i, param) in f.params.iter().enumerate() {
        match (&param.kind, sig.inputs.iter_mut().nth(i)) {
            (ParamKind::Pattern(_), Some(syn::FnArg::Typed(pt))) => {
                let field = &param.field;
                *pt.pat = syn::parse_quote!(#field);
            }
            // `mut x`: the parameter is only moved into the state; the body's binding is `mut`.
            (ParamKind::Ident { .. }, Some(syn::FnArg::Typed(pt))) => {
                if let syn::Pat::Ident(pi) = &mut *pt.pat {
                    pi.mutability = None;
                }
            }
            (ParamKind::Receiver { .. }, Some(syn::FnArg::Receiver(r)))
                if r.reference.is_none() =>
            {
                r.mutability = None;
                if let syn::Type::Path(_) = &*r.ty {
                    r.colon_token = None;
                }
            }
            _ => {}
        }
    }
    let impl_span = Span::call_site();
    let impl_future = quote_spanned!(impl_span=> impl ::core::future::Future<Output = #ret_ty>);
    sig.output = syn::parse_quote!(-> #impl_future);
    let vis = &f.vis;
    let fn_name = f.sig.ident.to_string();
    let all_names = ["Unresumed", "Returned", "Panicked"];
    let name_arms = all_names
        .iter()
        .map(|n| {
            let v = ms(n);
            let lit = n.to_string();
            quote!(__State::#v { .. } => #lit)
        })
        .chain(state_names.iter().map(|v| {
            let lit = v.to_string();
            quote!(__State::#v { .. } => #lit)
        }));
    let line_arms = state_names.iter().zip(awaits).map(|(v, (_, span))| {
        let line = span.start().line as u32;
        quote!(__State::#v { .. } => #line)
    });
    let placeholders2 = type_params.iter().map(|_| quote!(_));
    let back_label = label_back();
    let arms = nest_arms(code_arms);
    let dispatch = if !control_mode {
        // `'__resume<n-1>: { .. '__resume1: { '__resume0: { match state { .. } } code 0 } code 1
        // .. } code n-1`: the dispatch jumps forward to the code of the state, and the code
        // storing state `k` falls through to the code resuming it with `break '__resume<k>`.
        let mut nest = quote! {
            // SAFETY: `__sp` was just derived from `__s`, the only reference to the
            // state; awaitees are reached through it and never moved.
            match unsafe { &mut *__sp } {
                #unresumed_arm
                #(#suspend_arms)*
                __State::Returned => #p::resumed_after_completion(),
                __State::Panicked => #p::resumed_after_panicking(),
            }
        };
        for (k, code) in resume_code.iter().enumerate() {
            let l = label_resume(k);
            nest = quote! {
                #l: { #nest }
                #code
            };
        }
        nest
    } else {
        quote! {
            // SAFETY: `__sp` was just derived from `__s`, the only reference to the
            // state; awaitees are reached through it and never moved.
            let mut __goto = match unsafe { &mut *__sp } {
                #unresumed_arm
                #(#suspend_arms)*
                __State::Returned => #p::resumed_after_completion(),
                __State::Panicked => #p::resumed_after_panicking(),
            };
            // The code of each state and jump target, in source order, after nested labeled
            // blocks: `'__arm<n>: { .. '__arm1: { '__arm0: { match __goto { .. } } code 0 }
            // code 1 .. } code n`. A jump to code further down (including a first poll that is
            // `Ready`) is `break '__arm<i>` (a plain branch once compiled); a jump back up (a
            // loop's head, or code built before) goes round this loop with `__goto`.
            #back_label: loop {
                #arms
            }
        }
    };
    let goto_enum = (!goto_variants.is_empty()).then(|| {
        quote! {
            /// Where the code goes on (not states): the start, after each await, after a
            /// branch or loop with awaits, a loop's head; with the locals it needs.
            #[allow(non_camel_case_types, dead_code)]
            #[derive(Clone, Copy)]
            enum __Goto {
                #(#goto_variants),*
            }
        }
    });
    // Small fns: `poll` always inlined into the code polling the future, as LLVM does with a
    // small native coroutine (without it, the step is a call of its own: 1.1-2x the native's
    // instructions per poll). Large fns: only `#[inline]`, not copied into every awaiting caller.
    let inline = token_count(&dispatch) <= INLINE_MAX_TOKENS;
    let new = quote!(Machine::<_, _, #inline>::new);
    let machine = if async_tail {
        // `#[tracing::instrument]` instruments a fn returning `impl Future` whose body ends in an
        // `async move` block: give it one around the machine.
        quote! {
            // SAFETY: `__step` polls each awaitee in place and drops it in place (`vacate`),
            // and leaves the state `Panicked` while the body runs between suspensions.
            let __machine = unsafe { #p::#new(__init, __step) };
            async move { __machine.await }
        }
    } else {
        quote! {
            // SAFETY: `__step` polls each awaitee in place and drops it in place (`vacate`),
            // and leaves the state `Panicked` while the body runs between suspensions.
            unsafe { #p::#new(__init, __step) }
        }
    };
    let step_body = if control_mode {
        // The slots carrying values over jumps, and the outputs of first polls that were `Ready`.
        let slots = slots.iter().map(slot_ident);
        quote! {
            #(let mut #slots = ::core::mem::MaybeUninit::uninit();)*
            #(#ready_slots)*
            let __sp: *mut __State<#(#placeholders2),*> = __s;
            #dispatch
        }
    } else {
        quote! {
            let __sp: *mut __State<#(#placeholders2),*> = __s;
            #dispatch
        }
    };
    let tokens = quote! {
        #vis #sig {
            #(#items)*
            /// The states of this `async fn`, as rustc names them: one variant per `.await`
            /// holding the locals saved across it.
            // Lints: the type parameters are named after the locals they hold.
            #[allow(non_camel_case_types, dead_code)]
            enum __State<#(#type_params),*> {
                /// Created, not polled yet: holds the arguments.
                Unresumed { #(#unresumed_fields),* },
                #(#variants,)*
                /// Completed: polling again panics.
                Returned,
                /// A poll panicked: polling again panics.
                Panicked,
            }
            impl<#(#type_params),*> #p::States for __State<#(#type_params),*> {
                const FN_NAME: &'static str = #fn_name;
                fn panicked() -> Self { __State::Panicked }
                fn is_returned(&self) -> bool { ::core::matches!(self, __State::Returned) }
                fn state_name(&self) -> &'static str { match self { #(#name_arms),* } }
                fn await_line(&self) -> u32 { match self { #(#line_arms,)* _ => 0 } }
            }
            // The fields are `MaybeUninit` (no niche: a plain tag byte, as rustc's coroutines
            // have); this drops the current variant's, in declaration order, as drop glue would.
            impl<#(#type_params),*> ::core::ops::Drop for __State<#(#type_params),*> {
                fn drop(&mut self) {
                    match self {
                        #unresumed_drop
                        #(#drop_arms)*
                        _ => {}
                    }
                }
            }
            #goto_enum
            let __init = __State::Unresumed { #(#unresumed_values),* };
            #hide_params
            // Lints: restored locals may be unused or not mutated in the code after an await;
            // code after a suspension is unreachable; `?` lowers to a parenthesized break.
            #[allow(unused_variables, unused_mut, unused_parens, unused_braces, unused_labels, unreachable_code, non_snake_case, clippy::let_unit_value, clippy::needless_return, clippy::never_loop)]
            // `#[inline(always)]`: `Machine::poll` is the closure's only caller; without it the
            // step stays a call of its own inside `poll`. Not in debug builds, where LLVM's
            // always-inliner would copy the body into every place that polls it (unoptimized
            // builds of the equivalence tests took 1.8x as long).
            let __step = #p::step_fn(
                &__init,
                #[cfg_attr(not(debug_assertions), inline(always))]
                move |__s, __cx| {
                    #step_body
                },
            );
            #machine
        }
    };
    (Generated { tokens, exits }, ctx.built)
}

/// The size of generated code up to which `poll` is always inlined (see `Machine::new_inlined`),
/// in tokens of the step's code: the poll benchmark's fns have 895 (a `while` around one await),
/// 1,396 (4 awaits in a row) and 3,163 (5 awaits in a `for` and nested `match`es); LLVM inlines
/// the native coroutine of each of them into the loop polling it.
const INLINE_MAX_TOKENS: usize = 4_000;

/// The number of tokens in `tokens`, groups' contents included.
fn token_count(tokens: &TokenStream) -> usize {
    tokens
        .clone()
        .into_iter()
        .map(|t| match t {
            TokenTree::Group(g) => 1 + token_count(&g.stream()),
            _ => 1,
        })
        .sum()
}
