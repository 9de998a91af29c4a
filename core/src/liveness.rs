//! Phase 4: which locals each suspension point saves, and how.
//!
//! Input:  the normalized tree of `let data = format!(.., fetch(n).await?); process(data).await; Ok(n)`
//! Output: `Suspend0 saves [n, name]` (in scope, not moved: they might still need dropping or
//!         be used later), `Suspend1 saves [n]` (`data` was moved into `process`).
//!
//! The rule, without types: a local is saved at an await if it is in scope there and either is
//! used after it, or was not moved before it. "Moved" is only concluded from a bare path in a
//! position that certainly moves or copies: a call or method argument, `let y = x`, a struct
//! field, a tuple or array element, a `return`/`break` value, the right side of `=`, a capture
//! of a `move` closure, the receiver of `into`, `into_*`, `unwrap*`, `expect*`, `ok`, `err`; and never
//! when the move is conditional (inside a branch, loop, closure or the right of `&&`/`||`).
//! Everything else keeps the local, which is what a value with drop glue needs.
//!
//! "Used after" an await means a use later in the text that can run after it: a use in another
//! branch of an `if`/`match` around the await does not count, unless a loop around both
//! (the local declared outside it) lets the next iteration take that branch. "No drop glue" is
//! known only from a written primitive or reference type, a `ref` binding, `&expr`, or the
//! item of `for x in a..b` (ranges iterate over integers, `char`, IP addresses); any other
//! local not used later is still kept until its scope ends, as rustc would drop it there.
//!
//! An awaited expression that borrows a saved local (`read(&mut buf)`, `self.conn.flush()` with
//! `&mut self`, `rx.recv()`) or a temporary (`get(&url())`) is wrapped in a compiler-checked
//! `async move` block that takes those locals and hands back the ones used later with its
//! output: the state never holds a reference into itself.

use std::collections::{HashMap, HashSet};

use proc_macro2::{Span, TokenStream};
use syn::spanned::Spanned;
use syn::visit::{self, Visit};
use syn::{Expr, Ident, Pat, Type};

use crate::macros;
use crate::normalize::{Bind, Block, Control, Head, Stmt};
use crate::normalize::{borrows_temporary, consumes_receiver, temporary_receiver, unparen};
use crate::parse::{AsyncFn, ParamKind};

/// Index of a local in [`Analysis::locals`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LocalId(pub usize);

/// A local binding of the body (parameters included).
#[derive(Clone, Debug)]
pub struct Local {
    /// The binding as written (its span points at the declaration).
    pub ident: Ident,
    /// `let mut x` / `mut x: T`.
    pub mutable: bool,
    /// Declared type, if written.
    pub ty: Option<Type>,
    /// Why it exists.
    pub origin: Origin,
    /// Unique field name in the state enum.
    pub field: Ident,
    /// Unique type parameter of the state enum.
    pub type_param: Ident,
    /// Locals it borrows, when its initializer is `&x`, `&mut x` or a non-`move` closure.
    pub borrows: Vec<LocalId>,
    /// Span of its initializer, for errors about what it borrows.
    pub init_span: Span,
    /// Its initializer as written (`m.lock().unwrap()`, `rx.recv().await`), when it has one.
    pub init_text: Option<String>,
    /// For the hidden iterator of a `for` loop: the iterable's tokens (how liveness asks the
    /// normalizer to await the loop as one future, see [`Analysis::force`]).
    pub loop_iterable: Option<String>,
    /// Known to be a reference: a `ref` binding, or initialized with `&expr`.
    pub is_reference: bool,
    /// Known to have no drop glue without a written type: the hidden iterator of
    /// `for x in a..b` and its item `x` (ranges iterate over `Step` types: integers, `char`,
    /// IP addresses; the trait is unstable, so no user type with a destructor on stable).
    pub range_item: bool,
}

/// Why a local exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A parameter (index into the fn's parameters).
    Param(usize),
    /// `self`.
    Receiver,
    /// A `let` (or an await's pattern) in the body.
    Let,
    /// A hidden temporary of the lowering.
    Hidden,
}

impl Local {
    /// Declared as a shared reference: copying it while something borrows through it is fine.
    pub fn is_shared_ref(&self) -> bool {
        matches!(&self.ty, Some(Type::Reference(r)) if r.mutability.is_none())
    }
    /// Declared with a type that has no drop glue (a reference or a primitive), so not saving
    /// it when it is not used later changes nothing.
    pub fn has_no_drop_glue(&self) -> bool {
        self.is_reference || self.range_item || self.ty.as_ref().is_some_and(no_drop_glue)
    }
    /// Declared as `&mut`: passing it as an argument reborrows.
    pub fn is_mut_ref(&self) -> bool {
        matches!(&self.ty, Some(Type::Reference(r)) if r.mutability.is_some())
    }
}

/// What a suspension point saves.
#[derive(Clone, Debug, Default)]
pub struct Suspension {
    /// Saved in the variant, per nesting level of scopes (0 = the fn body), in declaration
    /// order.
    pub saved: Vec<Vec<LocalId>>,
    /// When the awaitee is wrapped: the locals it takes and hands back with its output, in
    /// declaration order (restored at their own level).
    pub returned: Vec<LocalId>,
    /// Whether the awaitee is wrapped in an `async move` block.
    pub wrapped: bool,
    /// In scope and used later, but holding no value here (`let x;` not assigned yet): not
    /// saved, declared again without a value where the code resumes. Per level.
    pub fresh: Vec<Vec<LocalId>>,
    /// The level of each returned local.
    pub returned_levels: Vec<usize>,
    /// Kept only to be dropped at the end of its scope, but borrowing another kept local: not
    /// saved here nor at the awaits after; checked (at the first of them) to have no
    /// destructor, so that dropping it now is the same (see `liveness::dropped_early`).
    pub dropped_early: Vec<LocalId>,
}

/// A point of the body entered other than by falling through, which is not a suspension:
/// the code after a branch or loop with awaits (reached from several states), and the head of
/// a loop with awaits (reached again from the states inside it). Generated code jumps there
/// with the locals it carries; these jumps add no state to the future.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Entry {
    /// After control construct `id` (its value is carried as `__value`).
    After(usize),
    /// The head of loop `id`.
    LoopHead(usize),
    /// Await `k`, before its awaitee is built: where code that reaches the await in more than
    /// one arm goes, so the awaitee (whose type may be an `async` block's or hold a closure's,
    /// different at each place they are written) is built at one place only.
    Before(usize),
}

/// The result of the analysis.
#[derive(Clone, Debug)]
pub struct Analysis {
    /// What each entry carries, per nesting level (like [`Suspension::saved`]).
    pub entries: std::collections::BTreeMap<Entry, Vec<Vec<LocalId>>>,
    /// What each entry declares without a value (like [`Suspension::fresh`]).
    pub entries_fresh: std::collections::BTreeMap<Entry, Vec<Vec<LocalId>>>,
    /// Every local, in declaration order.
    pub locals: Vec<Local>,
    /// Per await (by index).
    pub suspensions: Vec<Suspension>,
    /// Locals declared by each await's pattern (by await index).
    pub bind_locals: Vec<Vec<LocalId>>,
    /// The locals carried as `Option`s (their own drop flag) at each entry and suspension:
    /// moved on some branches of a join before it, not used after it (then only dropped, at
    /// the end of their scope), with drop glue.
    pub flagged: std::collections::BTreeSet<(Point, LocalId)>,
    /// Per branch `(control id, branch index)`: the locals moved when it ends, where the join
    /// after it carries them flagged (`None` from there).
    pub moved_at_end: std::collections::BTreeMap<(usize, usize), Vec<LocalId>>,
    /// Per entry and suspension: how many locals are declared before it (ids below).
    pub declared_before: std::collections::BTreeMap<Point, usize>,
    /// The `branching` statements (see `normalize`) without awaits, by
    /// `branching_key`, to lower as control constructs: one
    /// of their branches moves a local that may need dropping, is not used after them and is
    /// kept across a later suspension or jump. Written verbatim, rustc would refuse to keep it
    /// there (E0382, moved on some paths); as a control construct, the branches that moved it
    /// say so with a drop flag of the lowering's own ([`Analysis::flagged`]). Also
    /// `WRAP_LOOP` + an iterable's tokens: a `for` loop whose iterator borrows a local kept
    /// across an await in its body, to await as one future (see `normalize`). Non-empty means
    /// the body must be normalized again with them (see `lower`).
    pub force: HashSet<String>,
}

/// A point where locals are carried: an entry, or a suspension (by await index).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Point {
    /// Entered by a jump.
    Entry(Entry),
    /// Resumed at await `k`.
    Suspension(usize),
}

impl Analysis {
    /// Whether `id` is carried as an `Option` at `p`.
    pub fn is_flagged(&self, p: Point, id: LocalId) -> bool {
        self.flagged.contains(&(p, id))
    }

    /// Whether any local is carried as an `Option` at `p`.
    pub fn flags_any(&self, p: Point) -> bool {
        self.flagged
            .range((p, LocalId(0))..)
            .next()
            .is_some_and(|(q, _)| *q == p)
    }
}

/// How an expression mentions a name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mention {
    /// Certainly moved or copied.
    Move,
    /// Assigned a new value (`x = ..`).
    Assign,
    /// Read as an operand of an operator, a condition or a cast: the result holds no borrow.
    Read,
    /// Anything else: a read, a borrow, a method receiver.
    Use,
}

#[derive(Clone, Debug)]
struct Ref {
    name: String,
    kind: Mention,
    conditional: bool,
    /// Inside a closure or `async` block without `move`: a use by value there captures by
    /// reference when the type is `Copy` (a borrow held by the closure or block).
    captured: bool,
}

/// Collects the mentions of outer names in an expression, with inner bindings shadowing.
struct Refs {
    out: Vec<Ref>,
    shadow: Vec<HashSet<String>>,
    cond: usize,
    ctx: Mention,
    /// Borrows of temporaries (`&make()`, `make().method()`) seen.
    temp_borrow: bool,
    /// The expression visited next is an awaitee: an `async` block there runs at once, to
    /// its end (`async { join!(..) }.await`), so what it moves is moved unconditionally.
    in_place: bool,
}

impl Refs {
    /// Visits an expression whose value cannot hold a borrow (a cast, a comparison, `&&`):
    /// the locals borrowed inside it only while it is evaluated (`n.len() as u64`) are reads.
    fn no_borrow_in_result(&mut self, f: impl FnOnce(&mut Self)) {
        let start = self.out.len();
        f(self);
        for r in &mut self.out[start..] {
            if r.kind == Mention::Use {
                r.kind = Mention::Read;
            }
        }
    }

    fn new() -> Self {
        Refs {
            out: Vec::new(),
            shadow: Vec::new(),
            cond: 0,
            ctx: Mention::Use,
            temp_borrow: false,
            in_place: false,
        }
    }

    fn shadowed(&self, name: &str) -> bool {
        self.shadow.iter().any(|s| s.contains(name))
    }

    /// The mentions from `start` on are a closure's or `async` block's captures: all moved
    /// with `move`; without it, a local only read or assigned there is captured by reference
    /// (a borrow held by the closure or block, like `async { a + 1 }` as an awaitee).
    fn captures(&mut self, start: usize, is_move: bool) {
        for r in &mut self.out[start..] {
            if is_move {
                r.kind = Mention::Move;
                r.conditional = self.cond > 0;
            } else {
                r.captured = true;
                if matches!(r.kind, Mention::Read | Mention::Assign) {
                    r.kind = Mention::Use;
                }
            }
        }
    }

    fn mention(&mut self, name: String, kind: Mention) {
        if !self.shadowed(&name) {
            let conditional = self.cond > 0;
            self.out.push(Ref {
                name,
                kind,
                conditional,
                captured: false,
            });
        }
    }

    /// After an `if`/`match` whose branches each assign `x` (or diverge), `x` is assigned:
    /// `let x; if c { x = a } else { x = b }` leaves it holding a value on every path.
    fn definitely_assigned(&mut self, e: &Expr) {
        if let Some(names) = assigns(e) {
            let mut names: Vec<String> = names.into_iter().collect();
            names.sort();
            for n in names {
                self.mention(n, Mention::Assign);
            }
        }
    }

    fn bind_pat(&mut self, p: &Pat) {
        let mut names = Vec::new();
        pat_idents(p, &mut names);
        if let Some(top) = self.shadow.last_mut() {
            for (i, _, _) in names {
                top.insert(i.to_string());
            }
        }
    }

    fn with(&mut self, ctx: Mention, e: &Expr) {
        let old = std::mem::replace(&mut self.ctx, ctx);
        self.visit_expr(e);
        self.ctx = old;
    }

    fn cond<F: FnOnce(&mut Self)>(&mut self, f: F) {
        self.cond += 1;
        f(self);
        self.cond -= 1;
    }

    fn scoped<F: FnOnce(&mut Self)>(&mut self, f: F) {
        self.shadow.push(HashSet::new());
        f(self);
        self.shadow.pop();
    }
}

impl<'a> Visit<'a> for Refs {
    fn visit_expr(&mut self, e: &'a Expr) {
        let ctx = std::mem::replace(&mut self.ctx, Mention::Use);
        match e {
            Expr::Path(p) if p.qself.is_none() && p.path.segments.len() == 1 => {
                let kind = match ctx {
                    Mention::Move => Mention::Move,
                    Mention::Read => Mention::Read,
                    _ => Mention::Use,
                };
                self.mention(p.path.segments[0].ident.to_string(), kind);
            }
            Expr::Call(c) => {
                self.with(Mention::Use, &c.func);
                for a in &c.args {
                    self.with(Mention::Move, a);
                }
            }
            Expr::MethodCall(m) => {
                let consuming = consumes_receiver(&m.method);
                if temporary_receiver(m) && !consuming {
                    self.temp_borrow = true;
                }
                self.with(
                    if consuming {
                        Mention::Move
                    } else {
                        Mention::Use
                    },
                    &m.receiver,
                );
                for a in &m.args {
                    self.with(Mention::Move, a);
                }
            }
            Expr::Reference(r) => {
                if borrows_temporary(r) {
                    self.temp_borrow = true;
                }
                self.with(Mention::Use, &r.expr);
            }
            Expr::Assign(a) => {
                self.with(Mention::Move, &a.right);
                let mut targets = Vec::new();
                if assign_targets(&a.left, &mut targets) {
                    for t in targets {
                        self.mention(t, Mention::Assign);
                    }
                    return;
                }
                self.with(Mention::Use, &a.left);
            }
            Expr::Struct(s) => {
                for f in &s.fields {
                    self.with(Mention::Move, &f.expr);
                }
                if let Some(r) = &s.rest {
                    self.with(Mention::Use, r);
                }
            }
            Expr::Tuple(t) => t.elems.iter().for_each(|x| self.with(Mention::Move, x)),
            Expr::Array(a) => a.elems.iter().for_each(|x| self.with(Mention::Move, x)),
            Expr::Return(r) => {
                if let Some(v) = &r.expr {
                    self.with(Mention::Move, v);
                }
            }
            Expr::Break(b) => {
                if let Some(v) = &b.expr {
                    self.with(Mention::Move, v);
                }
            }
            Expr::Paren(p) => self.with(ctx, &p.expr),
            Expr::Group(g) => self.with(ctx, &g.expr),
            Expr::Binary(b) if matches!(b.op, syn::BinOp::And(_) | syn::BinOp::Or(_)) => {
                self.no_borrow_in_result(|s| {
                    s.with(Mention::Read, &b.left);
                    s.cond(|s| s.with(Mention::Read, &b.right));
                });
            }
            Expr::Binary(b) if is_comparison(&b.op) => self.no_borrow_in_result(|s| {
                s.with(Mention::Read, &b.left);
                s.with(Mention::Read, &b.right);
            }),
            Expr::Binary(b) if !is_assign_op(&b.op) => {
                self.with(Mention::Read, &b.left);
                self.with(Mention::Read, &b.right);
            }
            Expr::Unary(u) if !matches!(u.op, syn::UnOp::Deref(_)) => {
                self.with(Mention::Read, &u.expr);
            }
            // `*x + 1`: the value behind the reference is read.
            Expr::Unary(u) if ctx == Mention::Read => self.with(Mention::Read, &u.expr),
            // A cast gives a primitive or a raw pointer: whatever its operand borrowed (`n.len()
            // as u64`), the result holds no borrow.
            Expr::Cast(c) => self.no_borrow_in_result(|s| s.with(Mention::Read, &c.expr)),
            Expr::If(i) => {
                self.scoped(|s| {
                    s.with(Mention::Read, &i.cond);
                    s.cond(|s| {
                        s.visit_block(&i.then_branch);
                        if let Some((_, e)) = &i.else_branch {
                            s.visit_expr(e);
                        }
                    });
                });
                self.definitely_assigned(e);
            }
            Expr::Let(l) => {
                self.visit_expr(&l.expr);
                self.bind_pat(&l.pat);
            }
            Expr::Match(m) => {
                self.visit_expr(&m.expr);
                self.cond(|s| {
                    for arm in &m.arms {
                        s.scoped(|s| {
                            s.bind_pat(&arm.pat);
                            if let Some((_, g)) = &arm.guard {
                                s.visit_expr(g);
                            }
                            s.visit_expr(&arm.body);
                        });
                    }
                });
                self.definitely_assigned(e);
            }
            Expr::Closure(c) => {
                let is_move = c.capture.is_some();
                let start = self.out.len();
                self.cond(|s| {
                    s.scoped(|s| {
                        for p in &c.inputs {
                            s.bind_pat(p);
                        }
                        s.visit_expr(&c.body);
                    })
                });
                self.captures(start, is_move);
            }
            Expr::Async(a) => {
                let is_move = a.capture.is_some();
                let start = self.out.len();
                if std::mem::take(&mut self.in_place) {
                    self.scoped(|s| s.visit_block(&a.block));
                } else {
                    self.cond(|s| s.scoped(|s| s.visit_block(&a.block)));
                }
                self.captures(start, is_move);
            }
            Expr::ForLoop(f) => {
                // `into_iter(e)` takes the iterable by value (`for x in v` moves `v`).
                self.with(Mention::Move, &f.expr);
                self.cond(|s| {
                    s.scoped(|s| {
                        s.bind_pat(&f.pat);
                        s.visit_block(&f.body);
                    })
                });
            }
            Expr::While(w) => self.cond(|s| {
                s.scoped(|s| {
                    s.visit_expr(&w.cond);
                    s.visit_block(&w.body);
                })
            }),
            Expr::Loop(l) => self.cond(|s| s.scoped(|s| s.visit_block(&l.body))),
            Expr::Macro(m) => self.visit_macro(&m.mac),
            // A statement's temporaries end with it; from edition 2024 those of the block's
            // tail expression end with the block: none outlives the block, so none makes an
            // awaitee around it borrow a temporary. (Before 2024, the tail's live to the end
            // of the enclosing statement.)
            Expr::Block(b) => {
                let outer = self.temp_borrow;
                let mut tail = false;
                let n = b.block.stmts.len();
                self.scoped(|s| {
                    for (i, st) in b.block.stmts.iter().enumerate() {
                        s.temp_borrow = false;
                        match st {
                            // A block's value is moved out of it: `{b}.build()` moves `b`
                            // whatever `build` takes.
                            syn::Stmt::Expr(e, None) if i + 1 == n => {
                                s.with(Mention::Move, e);
                                tail = s.temp_borrow;
                            }
                            st => s.visit_stmt(st),
                        }
                    }
                });
                self.temp_borrow = outer || (tail && !crate::normalize::edition_2024());
            }
            _ => visit::visit_expr(self, e),
        }
    }

    fn visit_block(&mut self, b: &'a syn::Block) {
        self.scoped(|s| {
            for st in &b.stmts {
                s.visit_stmt(st);
            }
        });
    }

    fn visit_local(&mut self, l: &'a syn::Local) {
        if let Some(init) = &l.init {
            self.with(let_mention(&l.pat), &init.expr);
            if let Some((_, d)) = &init.diverge {
                self.cond(|s| s.visit_expr(d));
            }
        }
        self.bind_pat(&l.pat);
    }

    fn visit_item(&mut self, _: &'a syn::Item) {}

    fn visit_macro(&mut self, m: &'a syn::Macro) {
        if macros::is_select(m)
            && let Ok(macros::Select { branches, .. }) = macros::parse_select(m.tokens.clone())
        {
            // Every future is built (moved into the `select!`) when it starts, the conditions
            // read; a handler runs only when its branch is taken.
            for b in &branches {
                if let Some(c) = &b.cond {
                    self.with(Mention::Read, c);
                }
                if let Some(f) = &b.fut {
                    self.with(Mention::Move, f);
                }
            }
            self.cond(|s| {
                for b in &branches {
                    s.scoped(|s| {
                        if let Some(p) = &b.pat {
                            s.bind_pat(p);
                        }
                        s.with(Mention::Move, &b.handler);
                    });
                }
            });
            return;
        }
        match macros::parse_known(m) {
            // `join!`: its arguments are futures moved into it.
            Some(Ok(args)) if macros::is_awaiting(m) => {
                for e in args.exprs() {
                    self.with(Mention::Move, e);
                }
            }
            Some(Ok(args)) => {
                for e in args.exprs() {
                    if let Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(s),
                        ..
                    }) = e
                    {
                        for name in macros::format_captures(s) {
                            self.mention(name, Mention::Use);
                        }
                    }
                    self.with(Mention::Use, e);
                }
            }
            _ => {
                let mut idents = Vec::new();
                macros::token_idents(&m.tokens, &mut idents);
                for i in idents {
                    self.mention(i.to_string(), Mention::Use);
                }
            }
        }
    }
}

/// The outer names a `branching` expression moves (or copies) on some of its paths only: by
/// value in a branch (from `refs`, its statement's mentions), or as the scrutinee of a
/// `match`/`if let` that binds by value.
fn moved_on_some_paths(e: &Expr, refs: &[Ref]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for m in refs {
        if m.kind == Mention::Move && m.conditional && !out.contains(&m.name) {
            out.push(m.name.clone());
        }
    }
    let (scrut, pats): (&Expr, Vec<&Pat>) = match e {
        Expr::Match(m) => (&m.expr, m.arms.iter().map(|a| &a.pat).collect()),
        Expr::If(i) => match &*i.cond {
            Expr::Let(l) => (&l.expr, vec![&*l.pat]),
            _ => return out,
        },
        _ => return out,
    };
    if let Expr::Path(p) = unparen(scrut)
        && let Some(i) = p.path.get_ident()
        && pats.iter().any(|p| {
            let mut names = Vec::new();
            pat_idents(p, &mut names);
            names.iter().any(|(_, _, by_ref)| !by_ref)
        })
        && !out.contains(&i.to_string())
    {
        out.push(i.to_string());
    }
    out
}

/// The outer names a statement of verbatim code moves (or copies) on every path through it.
pub(crate) fn certain_moves(stmt: &syn::Stmt) -> Vec<String> {
    unconditional_moves(Walker::refs_of_stmt(stmt))
}

/// [`certain_moves`] of an expression (a condition, a scrutinee, a block's tail).
pub(crate) fn certain_expr_moves(e: &Expr) -> Vec<String> {
    let mut refs = Refs::new();
    refs.shadow.push(HashSet::new());
    refs.visit_expr(e);
    unconditional_moves(refs)
}

fn unconditional_moves(refs: Refs) -> Vec<String> {
    let moved = refs.out.into_iter();
    let moved = moved.filter(|r| r.kind == Mention::Move && !r.conditional);
    moved.map(|r| r.name).collect()
}

/// The outer names `handler` moves (or copies) when it runs, `pat`'s bindings aside: those a
/// `select!` branch takes by value.
pub(crate) fn moved_names(pat: Option<&Pat>, handler: &Expr) -> Vec<String> {
    let mut r = Refs::new();
    r.scoped(|r| {
        if let Some(p) = pat {
            r.bind_pat(p);
        }
        r.with(Mention::Move, handler);
    });
    let mut out: Vec<String> = Vec::new();
    for m in r.out {
        if m.kind == Mention::Move && !out.contains(&m.name) {
            out.push(m.name);
        }
    }
    out
}

/// Methods whose result borrows their receiver.
const BORROWING: &[&str] = &[
    "iter",
    "iter_mut",
    "as_str",
    "as_slice",
    "as_mut_slice",
    "as_ref",
    "as_mut",
    "as_deref",
    "as_deref_mut",
    "borrow",
    "borrow_mut",
    "lock",
    "read",
    "write",
    "chars",
    "bytes",
    "lines",
    "keys",
    "values",
    "values_mut",
    "windows",
    "chunks",
    "chunks_mut",
    "split",
    "split_whitespace",
    "drain",
    "first",
    "last",
    "get",
    "get_mut",
    "peek",
];

/// The local a `let` initializer borrows from, when it is a method chain on a local whose first
/// method returns a borrow (`v.iter().enumerate()`, `m.lock().unwrap()`), or, for the hidden
/// iterator of a `for` loop (`into_iter(&v)`, `into_iter(v.iter())`), any borrow of a local.
fn borrowed_root(init: &Expr, any_method: bool) -> Option<String> {
    fn chain(e: &Expr, any_method: bool) -> Option<String> {
        match e {
            Expr::MethodCall(m) => match &*m.receiver {
                Expr::Path(p) => {
                    let name = m.method.to_string();
                    let consuming = consumes_receiver(&m.method)
                        || name.starts_with("to_")
                        || ["clone", "len", "is_empty"].contains(&name.as_str());
                    let borrows = BORROWING.contains(&name.as_str()) || (any_method && !consuming);
                    borrows
                        .then(|| p.path.get_ident().map(|i| i.to_string()))
                        .flatten()
                }
                Expr::Field(f) if any_method => chain(
                    &Expr::MethodCall(syn::ExprMethodCall {
                        receiver: f.base.clone(),
                        ..m.clone()
                    }),
                    any_method,
                ),
                inner => chain(inner, any_method),
            },
            Expr::Reference(r) if any_method => {
                let mut b = &*r.expr;
                while let Expr::Field(f) = b {
                    b = &f.base;
                }
                match b {
                    Expr::Path(p) => p.path.get_ident().map(|i| i.to_string()),
                    _ => None,
                }
            }
            Expr::Call(c) if any_method && c.args.len() == 1 => chain(&c.args[0], any_method),
            Expr::Try(t) => chain(&t.expr, any_method),
            Expr::Paren(p) => chain(&p.expr, any_method),
            _ => None,
        }
    }
    // (Through parentheses: `(v.iter().sum::<u64>())`, a receiver kept as a hidden local.)
    let init = unparen(init);
    // The chain ends in a method whose result owns its value (`v.iter().sum::<u64>()`,
    // `s.chars().count()`): whatever the chain borrowed ends with it.
    if let Expr::MethodCall(m) = init
        && OWNED_RESULT.contains(&m.method.to_string().as_str())
    {
        return None;
    }
    // Owned items collected: `m.keys().cloned().collect()`, `v.iter().copied().collect()`.
    if let Expr::MethodCall(m) = init
        && m.method == "collect"
        && let Expr::MethodCall(r) = &*m.receiver
        && (r.method == "cloned" || r.method == "copied")
    {
        return None;
    }
    chain(init, any_method)
}

/// A written type that cannot hold a borrow: numbers, `bool`, `char`, `String`, and the std
/// containers, `Option`, `Result`, `Box`, `Rc`, `Arc` of such types, tuples and arrays of them
/// (`let lens: Vec<usize> = v.iter().map(..).collect()` borrows nothing of `v`). Not `_`.
fn owned_type(t: &Type) -> bool {
    const OWNED: &[&str] = &[
        "String",
        "Vec",
        "VecDeque",
        "HashMap",
        "HashSet",
        "BTreeMap",
        "BTreeSet",
        "BinaryHeap",
        "Option",
        "Result",
        "Box",
        "Rc",
        "Arc",
    ];
    match t {
        Type::Path(p) if p.qself.is_none() => p.path.segments.last().is_some_and(|seg| {
            let name = seg.ident.to_string();
            (PRIMITIVES.contains(&name.as_str()) || OWNED.contains(&name.as_str()))
                && match &seg.arguments {
                    syn::PathArguments::None => true,
                    syn::PathArguments::AngleBracketed(a) => a.args.iter().all(|g| match g {
                        syn::GenericArgument::Type(t) => owned_type(t),
                        _ => false,
                    }),
                    syn::PathArguments::Parenthesized(_) => false,
                }
        }),
        Type::Tuple(t) => t.elems.iter().all(owned_type),
        Type::Array(a) => owned_type(&a.elem),
        Type::Paren(p) => owned_type(&p.elem),
        Type::Group(g) => owned_type(&g.elem),
        _ => false,
    }
}

/// Methods whose result holds no borrow of their receiver, whatever it is: numbers, `bool`s,
/// positions and owned copies (not `max`/`min`/`next`/`last`/`collect`/`cloned`, which may
/// return or hold references).
const OWNED_RESULT: &[&str] = &[
    "sum",
    "product",
    "count",
    "len",
    "is_empty",
    "any",
    "all",
    "position",
    "contains",
    "starts_with",
    "ends_with",
    "is_some",
    "is_none",
    "is_ok",
    "is_err",
    "to_string",
    "to_vec",
    "to_owned",
];

/// Awaited methods of common async crates that take `self`, besides [`consumes_receiver`]'s:
/// reqwest's `Response::json`/`text`/`bytes`, `StreamExt::collect`/`fold`/`for_each`, tokio's
/// owned guards and permits on an `Arc`, `Child::wait_with_output`.
const AWAITED_BY_VALUE: &[&str] = &[
    "json",
    "text",
    "bytes",
    "collect",
    "fold",
    "for_each",
    "try_collect",
    "try_fold",
    "try_for_each",
    "lock_owned",
    "read_owned",
    "write_owned",
    "acquire_owned",
    "acquire_many_owned",
    "wait_with_output",
    "into_future",
];

/// Whether `e` holds (outside closures and `async` blocks) a `for` loop whose iterable
/// borrows a local (`&v`, `v.iter()`).
fn borrowing_for_loop(e: &Expr) -> bool {
    struct Find(bool);
    impl<'a> Visit<'a> for Find {
        fn visit_expr(&mut self, e: &'a Expr) {
            match e {
                Expr::Closure(_) | Expr::Async(_) => {}
                Expr::ForLoop(f) => {
                    let iterable = match unparen(&f.expr) {
                        Expr::Reference(r) => &*r.expr,
                        other => other,
                    };
                    self.0 |= matches!(unparen(&f.expr), Expr::Reference(_))
                        || borrowed_root(iterable, true).is_some();
                    visit::visit_expr(self, e);
                }
                _ => visit::visit_expr(self, e),
            }
        }
        fn visit_item(&mut self, _: &'a syn::Item) {}
    }
    let mut f = Find(false);
    f.visit_expr(e);
    f.0
}

/// The locals dropped at the await instead of being saved across it, each with the index of
/// the first await where that happens (the one that checks it). A local is kept across an
/// await if used after it, or only so that it drops at the end of its scope; when it then
/// borrows another local kept there (`let r = m.get(&k)?; f().await;` with `r` not used
/// after), the state would hold a reference into itself, which rustc rejects. If it has no
/// destructor (a reference, an `Option<&T>`, an iterator over a slice), dropping it at the
/// await is the same as at the end of its scope: it is not saved, and
/// `dropped_before_await(&r)` checks at compile time (`mem::needs_drop`, after
/// monomorphization) that it has none; a guard or other value with a destructor is an error
/// there. Only where that is exact without more analysis: a local never used after an await
/// (nor by its awaitee), `Live` wherever an await keeps it, and in scope at no jump target (the
/// awaits in its scope then follow each other in source order, the first one on every path).
fn dropped_early(w: &Walker) -> HashMap<LocalId, usize> {
    // An await's `Before` entry is jumped to only when its awaitee is built at one place for
    // several arms: a wrapped one, or one defining a closure or `async` block.
    let may_share = |k: usize| {
        w.snapshots
            .get(k)
            .and_then(Option::as_ref)
            .is_some_and(|s| {
                s.anonymous
                    || s.temp_borrow
                    || s.borrowed.iter().any(|b| !w.locals[b.0].is_shared_ref())
            })
    };
    let at_entries: HashSet<LocalId> = w
        .entry_snapshots
        .iter()
        .filter(|(e, _)| !matches!(e, Entry::Before(k) if !may_share(*k)))
        .flat_map(|(_, s)| s.in_scope.iter().map(|&(_, id, _)| id))
        .collect();
    let mut out = HashMap::new();
    for (i, l) in w.locals.iter().enumerate() {
        let id = LocalId(i);
        if l.borrows.is_empty()
            || at_entries.contains(&id)
            || w.ref_bindings.contains(&id)
            || l.has_no_drop_glue()
        {
            continue;
        }
        let mut first = None;
        let mut conflict = false;
        let mut exact = true;
        for (index, snap) in w.snapshots.iter().enumerate() {
            let Some(snap) = snap else { continue };
            let Some(&(_, _, status)) = snap.in_scope.iter().find(|x| x.1 == id) else {
                continue;
            };
            match status {
                Status::Empty | Status::Moved => continue,
                // (Not taken by the awaitee: that would hold the borrow across the await.)
                Status::Live if !w.used_after(id, snap.seq) && !snap.mentioned.contains(&id) => {}
                _ => {
                    exact = false;
                    break;
                }
            }
            first.get_or_insert(index);
            conflict |= snap.in_scope.iter().any(|&(_, b, st)| {
                l.borrows.contains(&b)
                    && !w.locals[b.0].is_shared_ref()
                    && matches!(st, Status::Live | Status::MaybeEmpty)
                    && (w.used_after(b, snap.seq) || !w.locals[b.0].has_no_drop_glue())
            });
        }
        if let (true, true, Some(first)) = (exact, conflict, first) {
            out.insert(id, first);
        }
    }
    out
}

/// The local at the root of the awaited method call's receiver (`conn` in `conn.read(..)`,
/// `__self` in `self.conn.flush()`, `x` in `x.a().b()`), and whether the method applied to
/// that root (`a`) is one known to take `self` ([`consumes_receiver`], [`AWAITED_BY_VALUE`]).
fn receiver_root(e: &Expr) -> Option<(String, bool)> {
    let Expr::MethodCall(m) = e else {
        return None;
    };
    let mut m = m;
    let mut r = unparen(&m.receiver);
    loop {
        match r {
            Expr::MethodCall(inner) => {
                m = inner;
                r = unparen(&m.receiver);
            }
            Expr::Field(f) => r = unparen(&f.base),
            Expr::Path(p) => {
                let by_value = consumes_receiver(&m.method)
                    || AWAITED_BY_VALUE.contains(&m.method.to_string().as_str());
                return p.path.get_ident().map(|i| (i.to_string(), by_value));
            }
            _ => return None,
        }
    }
}

/// Whether nothing runs after an await bound as `bind` but `rest`, the statements after it in
/// its block: none, or a tail that is its hidden output (`__v1`), also cast (`as`) or with `?`
/// (whose `From` conversion of an error is taken to have no visible effect).
fn ends_block(bind: &Bind, rest: &[Stmt]) -> bool {
    fn out(h: &Ident, e: &Expr) -> bool {
        match unparen(e) {
            Expr::Path(p) => p.path.is_ident(h),
            Expr::Cast(c) => out(h, &c.expr),
            Expr::Try(t) => out(h, &t.expr),
            _ => false,
        }
    }
    match (bind, rest) {
        (_, []) => true,
        (Bind::Hidden(h), [Stmt::Tail(e)]) => out(h, e),
        _ => false,
    }
}

/// Whether `let <pat> = x;` moves all of `x`: a plain binding, or a destructuring that binds
/// every part. `let _ = x`, `let S { a, .. } = x` leave (parts of) `x` in place.
pub fn moves_whole(p: &Pat) -> bool {
    match p {
        // `None`, `Quit`: a unit variant or constant (naming convention), which binds nothing.
        Pat::Ident(i) => {
            i.by_ref.is_none()
                && i.subpat.is_none()
                && (i.mutability.is_some()
                    || !i.ident.to_string().starts_with(|c: char| c.is_uppercase()))
        }
        Pat::Type(t) => moves_whole(&t.pat),
        Pat::Paren(p) => moves_whole(&p.pat),
        Pat::Tuple(t) => t.elems.iter().all(moves_whole),
        Pat::TupleStruct(t) => t.elems.iter().all(moves_whole),
        Pat::Struct(s) => s.rest.is_none() && s.fields.iter().all(|f| moves_whole(&f.pat)),
        Pat::Slice(s) => s.elems.iter().all(moves_whole),
        _ => false,
    }
}

fn let_mention(p: &Pat) -> Mention {
    if moves_whole(p) {
        Mention::Move
    } else {
        Mention::Use
    }
}

/// `+=`, `-=`, .. (`x op= y`).
pub(crate) fn is_assign_op(op: &syn::BinOp) -> bool {
    use syn::BinOp::*;
    matches!(
        op,
        AddAssign(_)
            | SubAssign(_)
            | MulAssign(_)
            | DivAssign(_)
            | RemAssign(_)
            | BitXorAssign(_)
            | BitAndAssign(_)
            | BitOrAssign(_)
            | ShlAssign(_)
            | ShrAssign(_)
    )
}

/// The bindings of a pattern: `(ident, mutable, by_ref)`, with the declared type if the
/// pattern is `ident: T`.
pub fn pat_idents(p: &Pat, out: &mut Vec<(Ident, bool, bool)>) {
    match p {
        Pat::Ident(i) => {
            let s = i.ident.to_string();
            // `None`, `Foo`: a unit variant or constant, not a binding (Rust naming convention).
            let is_binding = i.by_ref.is_some()
                || i.mutability.is_some()
                || i.subpat.is_some()
                || !s.starts_with(|c: char| c.is_uppercase());
            if is_binding {
                out.push((i.ident.clone(), i.mutability.is_some(), i.by_ref.is_some()));
            }
            if let Some((_, sub)) = &i.subpat {
                pat_idents(sub, out);
            }
        }
        Pat::Tuple(t) => t.elems.iter().for_each(|p| pat_idents(p, out)),
        Pat::TupleStruct(t) => t.elems.iter().for_each(|p| pat_idents(p, out)),
        Pat::Struct(s) => s.fields.iter().for_each(|f| pat_idents(&f.pat, out)),
        Pat::Slice(s) => s.elems.iter().for_each(|p| pat_idents(p, out)),
        Pat::Or(o) => {
            if let Some(first) = o.cases.first() {
                pat_idents(first, out);
            }
        }
        Pat::Reference(r) => pat_idents(&r.pat, out),
        Pat::Type(t) => pat_idents(&t.pat, out),
        Pat::Paren(p) => pat_idents(&p.pat, out),
        _ => {}
    }
}

/// Where a local stands at a point of the body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Status {
    Live,
    /// Moved, or not assigned yet, on some path.
    Moved,
    /// Declared without a value (`let x;`) and not assigned yet on any path: holds nothing.
    Empty,
    /// Declared without a value and assigned on some paths, or on paths this analysis cannot
    /// tell apart (rustc may know it is assigned on all): may hold a value, kept if it may need
    /// dropping. If it is in fact empty on some path, storing it is E0381, loud.
    MaybeEmpty,
    /// Moved on some branches of an `if`/`match` with awaits and not on others: rustc keeps a
    /// drop flag and drops it at the end of its scope if still there. Past the join, the
    /// lowering carries it as an `Option` (`None` from the branches that moved it): a drop
    /// flag of its own (see [`Analysis::flagged`]).
    MaybeMoved,
}

struct Snapshot {
    /// (level, local, status) of every local in scope, innermost level last.
    in_scope: Vec<(usize, LocalId, Status)>,
    seq: usize,
    /// Locals the awaitee mentions other than by a certain move.
    borrowed: Vec<LocalId>,
    /// Locals the awaitee mentions.
    mentioned: Vec<LocalId>,
    /// Mentioned locals a wrapping block hands back even if unused later: alive before the
    /// await and not the receiver of the awaited method call (which may consume it).
    wrap_keep: Vec<LocalId>,
    temp_borrow: bool,
    /// The awaitee defines a closure or an `async` block (its type is new where it is
    /// written: built at one place, `Entry::Before`, when reached from several arms).
    anonymous: bool,
    span: Span,
    /// How many locals were declared before this point (their ids are below).
    declared: usize,
}

struct Walker {
    locals: Vec<Local>,
    /// `ref` bindings: refused if a suspension point saves them.
    ref_bindings: Vec<LocalId>,
    scopes: Vec<Vec<(String, LocalId)>>,
    status: Vec<Status>,
    last_use: Vec<usize>,
    /// Every use of each local (sequence numbers), and where it was declared.
    uses: Vec<Vec<usize>>,
    decl_seq: Vec<usize>,
    /// (start, end) sequence numbers of each loop with awaits.
    loops: Vec<(usize, usize)>,
    /// Locals declared without a value before a loop with awaits that assigns them: empty
    /// in its first iteration, maybe not in the next ones.
    loop_assigned: HashSet<LocalId>,
    /// Per enclosing loop or labelled block: the statuses of the branches that leave it by a
    /// `break` or `continue` (merged into the status after the loop, not after the branch).
    loop_exits: Vec<Option<Vec<Status>>>,
    /// Per enclosing loop or labelled block: the statuses of the branches that leave it by a
    /// `break` (not a `continue`), each as it was at that `break`.
    loop_breaks: Vec<(Option<String>, bool, Vec<Vec<Status>>)>,
    /// Per `if`/`match` with awaits: the (start, end) sequence numbers of each branch. A use
    /// in another branch of the same construct than point `p` does not run after `p`.
    branch_groups: Vec<Vec<(usize, usize)>>,
    /// (start, end) sequence numbers of the branches that end by leaving (`return`, `panic!`,
    /// a `break` or `continue`), how, and the start of the loop a labelled one goes to: the
    /// code after such a branch is not reached from inside it (up to the end of the loop left,
    /// for a `break`/`continue`).
    diverging: Vec<(usize, usize, Leave, Option<usize>)>,
    /// Per enclosing loop or labelled block (as `loop_breaks`): its start (sequence number),
    /// for a repeating loop.
    loop_starts: Vec<Option<usize>>,
    /// Per branch `(control id, index)`: the locals `Moved` when it ends.
    branch_moved: std::collections::BTreeMap<(usize, usize), Vec<LocalId>>,
    entry_snapshots: Vec<(Entry, Snapshot)>,
    seq: usize,
    snapshots: Vec<Option<Snapshot>>,
    bind_locals: Vec<Vec<LocalId>>,
    errors: Option<syn::Error>,
    used_fields: HashSet<String>,
    used_params: HashSet<String>,
    /// [`Analysis::force`] candidates: a `branching` statement's key, a local it moves on some
    /// paths only (still `Live` after it), where, and whether it may leave a loop with awaits.
    branch_moves: Vec<(String, LocalId, usize, bool)>,
    /// An earlier walk of the same body (see [`analyze`]).
    prior: Option<Box<Walker>>,
    /// A wrapped awaitee took a receiver still alive before it.
    receivers_taken: bool,
    /// The code being walked is not reached: every path through the branches before it left
    /// (set by [`Walker::branches`], taken at the end of a branch or loop body).
    unreachable: bool,
    /// The await being walked ends the block it is in: nothing runs after it there but the
    /// block's value being its output (`{ let __v1 = __v0.ping().await; __v1 }`, `__v1?`).
    await_ends_block: bool,
}

impl Walker {
    fn error(&mut self, e: syn::Error) {
        match &mut self.errors {
            Some(all) => all.combine(e),
            None => self.errors = Some(e),
        }
    }

    fn resolve(&self, name: &str) -> Option<LocalId> {
        for scope in self.scopes.iter().rev() {
            if let Some((_, id)) = scope.iter().rev().find(|(n, _)| n == name) {
                return Some(*id);
            }
        }
        None
    }

    fn unique(set: &mut HashSet<String>, base: String) -> String {
        if set.insert(base.clone()) {
            return base;
        }
        let mut i = 1;
        loop {
            let c = format!("{base}_{i}");
            if set.insert(c.clone()) {
                return c;
            }
            i += 1;
        }
    }

    fn declare(
        &mut self,
        ident: Ident,
        mutable: bool,
        ty: Option<Type>,
        origin: Origin,
        init: Option<&Expr>,
    ) -> LocalId {
        let name = crate::parse::field_name(&ident);
        let field_base = match origin {
            Origin::Receiver => "self_".to_string(),
            Origin::Hidden => name.trim_start_matches('_').to_string(),
            _ => name.clone(),
        };
        let field = Walker::unique(&mut self.used_fields, field_base);
        let param_base = match origin {
            Origin::Receiver => "SelfValue".to_string(),
            Origin::Hidden => format!(
                "T{}",
                name.trim_start_matches(|c: char| !c.is_ascii_digit())
            ),
            _ => camel(&name),
        };
        let type_param = Walker::unique(&mut self.used_params, param_base);
        let mut borrows = Vec::new();
        if let Some(init) = init {
            let mut refs = Refs::new();
            let is_iter = name.starts_with("__iter");
            let borrowed_expr = match init {
                Expr::Reference(r) => Some(&*r.expr),
                Expr::Closure(c) if c.capture.is_none() => Some(init),
                _ => None,
            };
            if let Some(b) = borrowed_expr {
                refs.visit_expr(b);
                for r in refs.out {
                    if let Some(id) = self.resolve(&r.name)
                        && !borrows.contains(&id)
                    {
                        borrows.push(id);
                    }
                }
            } else if !ty.as_ref().is_some_and(owned_type)
                && let Some(root) = borrowed_root(init, is_iter)
                && let Some(id) = self.resolve(&root)
                && !self.locals[id.0].is_shared_ref()
            {
                borrows.push(id);
            }
        }
        let id = LocalId(self.locals.len());
        self.locals.push(Local {
            field: Ident::new(&field, Span::mixed_site()),
            type_param: Ident::new(&type_param, Span::mixed_site()),
            ident: ident.clone(),
            mutable,
            ty,
            origin,
            borrows,
            init_span: init
                .map(|e| match e {
                    // `into_iter(<the user's iterable>)` of a `for` loop.
                    Expr::Call(c) if c.args.len() == 1 => c.args[0].span(),
                    e => e.span(),
                })
                .unwrap_or_else(|| ident.span()),
            init_text: init.map(crate::rewrite::compact),
            loop_iterable: match init {
                Some(Expr::Call(c))
                    if c.args.len() == 1 && ident.to_string().starts_with("__iter") =>
                {
                    Some(crate::normalize::branching_key(&c.args[0]))
                }
                _ => None,
            },
            is_reference: matches!(init, Some(Expr::Reference(_))),
            range_item: init.is_some_and(|e| self.is_range_item(e)),
        });
        self.status.push(Status::Live);
        self.last_use.push(0);
        self.uses.push(Vec::new());
        self.decl_seq.push(self.seq);
        if let Some(s) = self.scopes.last_mut() {
            s.push((name, id));
        }
        id
    }

    /// `into_iter(a..b)` (a `for` loop's hidden iterator over a range), or
    /// `match next(&mut <such an iterator>) { .. }` (the loop's item).
    fn is_range_item(&self, init: &Expr) -> bool {
        fn strip(e: &Expr) -> &Expr {
            match e {
                Expr::Paren(p) => strip(&p.expr),
                Expr::Group(g) => strip(&g.expr),
                e => e,
            }
        }
        /// The argument of `name(arg)`.
        fn call_of<'e>(e: &'e Expr, name: &str) -> Option<&'e Expr> {
            match strip(e) {
                Expr::Call(c) if c.args.len() == 1 && path_ends_with(&c.func, name) => {
                    Some(strip(&c.args[0]))
                }
                _ => None,
            }
        }
        if let Some(arg) = call_of(init, "into_iter") {
            return matches!(arg, Expr::Range(r) if r.start.is_some());
        }
        let Expr::Match(m) = strip(init) else {
            return false;
        };
        let Some(Expr::Reference(r)) = call_of(&m.expr, "next") else {
            return false;
        };
        let Expr::Path(p) = strip(&r.expr) else {
            return false;
        };
        p.path
            .get_ident()
            .filter(|i| i.to_string().starts_with("__iter"))
            .and_then(|i| self.resolve(&i.to_string()))
            .is_some_and(|id| self.locals[id.0].range_item)
    }

    fn declare_pat(&mut self, pat: &Pat, init: Option<&Expr>, origin: Origin) -> Vec<LocalId> {
        let ty = match pat {
            Pat::Type(t) if matches!(&*t.pat, Pat::Ident(_)) => Some((*t.ty).clone()),
            _ => None,
        };
        // `let (a, b) = (&v[0], x.len());`: each binding with its own initializer (a reference
        // has nothing to drop and borrows what it points into).
        if let (Pat::Tuple(pt), Some(Expr::Tuple(et))) = (pat, init)
            && pt.elems.len() == et.elems.len()
            && pt
                .elems
                .iter()
                .all(|p| matches!(p, Pat::Ident(i) if i.by_ref.is_none() && i.subpat.is_none()))
        {
            let mut ids = Vec::new();
            for (p, e) in pt.elems.iter().zip(&et.elems) {
                ids.extend(self.declare_pat(p, Some(e), origin));
            }
            return ids;
        }
        let mut names = Vec::new();
        pat_idents(pat, &mut names);
        let single = names.len() == 1;
        let mut ids = Vec::new();
        for (ident, mutable, by_ref) in names {
            let init = if single { init } else { None };
            let id = self.declare(ident, mutable, ty.clone(), origin, init);
            if by_ref {
                self.locals[id.0].is_reference = true;
                self.ref_bindings.push(id);
            }
            ids.push(id);
        }
        ids
    }

    fn apply(&mut self, refs: &[Ref]) {
        for r in refs {
            let Some(id) = self.resolve(&r.name) else {
                continue;
            };
            self.last_use[id.0] = self.seq;
            self.uses[id.0].push(self.seq);
            match (r.kind, r.conditional) {
                (Mention::Move, false) => self.status[id.0] = Status::Moved,
                (Mention::Assign, false) => self.status[id.0] = Status::Live,
                // Assigned on some paths only (inside a branch or closure).
                (Mention::Assign, true) if self.status[id.0] == Status::Empty => {
                    self.status[id.0] = Status::MaybeEmpty
                }
                _ => {}
            }
        }
    }

    fn refs_of_stmt(s: &syn::Stmt) -> Refs {
        let mut refs = Refs::new();
        refs.shadow.push(HashSet::new());
        match s {
            syn::Stmt::Local(l) => {
                if let Some(init) = &l.init {
                    refs.with(let_mention(&l.pat), &init.expr);
                    if let Some((_, d)) = &init.diverge {
                        refs.cond(|r| r.visit_expr(d));
                    }
                }
            }
            syn::Stmt::Expr(e, _) => refs.visit_expr(e),
            syn::Stmt::Macro(m) => refs.visit_macro(&m.mac),
            syn::Stmt::Item(_) => {}
        }
        refs
    }

    fn block(&mut self, b: &Block) {
        self.scopes.push(Vec::new());
        self.stmts(&b.stmts);
        self.scopes.pop();
    }

    fn in_scope(&self) -> Vec<(usize, LocalId, Status)> {
        let mut out = Vec::new();
        for (level, scope) in self.scopes.iter().enumerate() {
            for (_, id) in scope {
                out.push((level, *id, self.status[id.0]));
            }
        }
        out
    }

    fn snapshot_entry(&mut self, entry: Entry, seq: Option<usize>) {
        let snap = Snapshot {
            declared: self.locals.len(),
            in_scope: self.in_scope(),
            seq: seq.unwrap_or(self.seq),
            borrowed: Vec::new(),
            mentioned: Vec::new(),
            wrap_keep: Vec::new(),
            temp_borrow: false,
            anonymous: false,
            span: Span::call_site(),
        };
        self.entry_snapshots.push((entry, snap));
    }

    /// Walks a branch or loop: statuses of locals merge over the branches. A local moved on
    /// some branch is not carried past the join unless used later (then it must be `Copy`, or
    /// rustc rejects the native fn too): the branch that moved it cannot hand it over. On the
    /// branches that kept it, it is dropped when the branch ends instead of at the end of its
    /// scope; only a value with a visible `Drop` that is moved on some paths shows this.
    fn control(&mut self, id: usize, ctl: &Control) {
        match ctl {
            Control::If { cond, then, els } => {
                let mut refs = Refs::new();
                refs.with(Mention::Read, cond);
                self.apply(&refs.out);
                self.operand_moves(cond);
                // Without `else`, the path that skips `then` joins it after the `if`.
                let skip = Block { stmts: Vec::new() };
                let branches = vec![then, els.as_ref().unwrap_or(&skip)];
                self.branches(id, &branches, None);
            }
            Control::Match { scrut, arms } => {
                let mut refs = Refs::new();
                refs.visit_expr(scrut);
                self.apply(&refs.out);
                self.operand_moves(scrut);
                let blocks: Vec<&Block> = arms.iter().map(|a| &a.body).collect();
                // The scrutinee is a local (a user's, or the hidden one of an awaited value,
                // `match f().await { .. }`): an arm whose pattern binds every part by value
                // (`Some(m)`, `Cmd::Get(k)`) makes it dead in that arm: each part was moved out,
                // or copied, and nothing is left to drop, since no destructured type implements
                // `Drop` (normalization adds a compile-time check of that, `DropProbe`: moving
                // out of such a type is E0509, so its bindings would be copies and it would
                // still need dropping). It is not kept across that arm's awaits (storing a
                // partly moved value is E0382). Used after the `match`, it is still saved.
                // A user's local moved by some arms only is `MaybeMoved` after the `match`
                // (carried with a drop flag, see `branches`), dropped at the end of its scope
                // on the paths that kept it, as rustc does with its own drop flag. A hidden
                // scrutinee left in place by some arms is moved by them into a keeper at their
                // end (normalization), so it is moved on every path.
                // A unit variant (`Cmd::Quit`) leaves nothing to drop either, unless the enum has
                // a `Drop` impl, which a `DropProbe` refuses at compile time (normalization).
                let all_consume = arms
                    .iter()
                    .all(|a| crate::normalize::leaves_nothing(&a.pat));
                let scrut_local = match scrut {
                    Expr::Path(p) => p
                        .path
                        .get_ident()
                        .and_then(|i| self.resolve(&i.to_string()))
                        .filter(|id| {
                            all_consume
                                || self.locals[id.0].origin == Origin::Hidden
                                // Moved by some arms only: a drop flag past the `match` (see
                                // `Status::MaybeMoved`), unless it is declared in the arms'
                                // scope or is a hidden local.
                                || arms.iter().any(|a| moves_whole(&a.pat))
                        }),
                    _ => None,
                };
                // Matching a borrow (`match &opt`), a binding holds a reference (or, under a `&`
                // pattern, a copy): nothing to drop; it borrows the locals of the borrowed place
                // (saved with them across an await, it is refused with a clear error).
                // (The local at the root of the place: `&v[i]` borrows `v`, not `i`.)
                let borrowed = match scrut {
                    Expr::Reference(r) => Some(
                        crate::normalize::place_root(&r.expr)
                            .and_then(|n| self.resolve(&n))
                            .filter(|id| !self.locals[id.0].is_shared_ref())
                            .into_iter()
                            .collect::<Vec<_>>(),
                    ),
                    _ => None,
                };
                self.branches(id, &blocks, Some((arms, scrut_local, borrowed)));
            }
            Control::Loop {
                body,
                repeats,
                label,
            } => {
                // A later iteration may find assigned what the first finds empty: a local
                // declared without a value before the loop and mentioned in it (an assignment).
                // A labelled block (`repeats: false`) runs once.
                if *repeats {
                    let mut names = HashSet::new();
                    block_idents(body, &mut names);
                    for (name, id) in self.scopes.iter().flatten() {
                        if self.status[id.0] == Status::Empty && names.contains(name) {
                            self.status[id.0] = Status::MaybeEmpty;
                            self.loop_assigned.insert(*id);
                        }
                    }
                }
                self.seq += 1;
                let start = self.seq;
                self.snapshot_entry(Entry::LoopHead(id), Some(start));
                self.loop_exits.push(None);
                let name = label.as_ref().map(|l| l.ident.to_string());
                self.loop_breaks.push((name, *repeats, Vec::new()));
                self.loop_starts.push(repeats.then_some(start));
                let entry = self.status.clone();
                self.unreachable = false;
                self.block(body);
                // Its end not reached (every path left before): only its exits count.
                let dead_end = std::mem::take(&mut self.unreachable);
                let breaks = self.loop_breaks.pop().map(|(.., b)| b).unwrap_or_default();
                self.loop_starts.pop();
                // The status after it: where the body ends (conservatively, for a loop),
                // merged with that at each way out.
                let body_end = self.status.clone();
                let n0 = entry.len();
                let exits = self.loop_exits.pop().flatten();
                let mut all_exits = exits.iter().chain(&breaks);
                let first = if dead_end {
                    all_exits.next().unwrap_or(&body_end)
                } else {
                    &body_end
                };
                let mut merged = first[..n0.min(first.len())].to_vec();
                merged.resize(n0, Status::Moved);
                for ex in all_exits {
                    let k = ex.len().min(n0);
                    let m = merge_statuses(&merged[..k], &ex[..k]);
                    merged[..k].copy_from_slice(&m);
                }
                // A user's local moved on some ways out of the loop or labelled block (a let
                // chain's lowering among them) and not on others is carried past it as an
                // `Option`, its drop flag (`MaybeMoved`, see `Analysis::flagged`): each way out
                // is a jump that says which (codegen writes the loop's `break`s as jumps then).
                for x in 0..n0 {
                    let kept_on = |st: &[Status]| st.get(x).is_some_and(|s| *s != Status::Moved);
                    if merged[x] == Status::Moved
                        && entry[x] == Status::Live
                        && self.locals[x].origin != Origin::Hidden
                        && !self.locals[x].has_no_drop_glue()
                        && (breaks.iter().any(|b| kept_on(b))
                            || (!*repeats && !dead_end && kept_on(&body_end)))
                    {
                        merged[x] = Status::MaybeMoved;
                    }
                }
                self.status[..n0].copy_from_slice(&merged);
                self.seq += 1;
                if *repeats {
                    self.loops.push((start, self.seq));
                }
            }
        }
    }

    fn branches(&mut self, id: usize, blocks: &[&Block], arms: Option<MatchArms<'_>>) {
        let first_seq = self.seq + 1;
        let before = self.status.clone();
        let n = before.len();
        let mut merged: Option<Vec<Status>> = None;
        let mut ranges = Vec::new();
        for (i, b) in blocks.iter().enumerate() {
            self.status[..n].copy_from_slice(&before);
            self.unreachable = false;
            self.seq += 1;
            let start = self.seq;
            self.scopes.push(Vec::new());
            if let Some((arms, scrut_local, borrowed)) = &arms {
                let arm = &arms[i];
                if let Some(id) = scrut_local
                    && moves_whole(&arm.pat)
                {
                    self.status[id.0] = Status::Moved;
                }
                if let Some(g) = &arm.guard {
                    let mut refs = Refs::new();
                    refs.with(Mention::Read, g);
                    self.apply(&refs.out);
                }
                // Under a `&` pattern or a `mut` binding, a binding is a copy, not a borrow.
                let by_ref = !copies_under_borrow(&arm.pat);
                for id in self.declare_pat(&arm.pat, None, Origin::Let) {
                    if let Some(roots) = borrowed.as_ref().filter(|_| by_ref) {
                        self.locals[id.0].is_reference = true;
                        self.locals[id.0].borrows.extend(roots.iter().copied());
                    }
                }
            }
            self.stmts(&b.stmts);
            self.scopes.pop();
            ranges.push((start, self.seq));
            let now = self.status[..n].to_vec();
            let moved: Vec<LocalId> = (0..n)
                .filter(|&x| now[x] == Status::Moved)
                .map(LocalId)
                .collect();
            self.branch_moved.insert((id, i), moved);
            // Its end not reached: every path through it left (a `match` whose arms all
            // `break`), so it joins nothing.
            if std::mem::take(&mut self.unreachable) {
                continue;
            }
            // A branch that leaves (`return`, `break`, `continue`, `panic!`) does not reach the
            // code after the branches: what it moved is still there on the other paths (rustc
            // drops it at the end of its scope). A `break`/`continue` reaches the code after
            // the innermost loop (approximated so for labelled ones too).
            let leave = block_leave(b);
            // (A labelled `break`/`continue` goes to the loop so named, found by its start; one
            // to a labelled block is not followed.)
            let target = |l: &str| {
                let i = self
                    .loop_breaks
                    .iter()
                    .rposition(|(n, ..)| n.as_deref() == Some(l));
                i.and_then(|i| self.loop_starts.get(i).copied().flatten())
            };
            let followed = match &leave {
                Some(Leave::Fn | Leave::Break(None) | Leave::Continue(None)) => Some(None),
                Some(Leave::Break(Some(l)) | Leave::Continue(Some(l))) => target(l).map(Some),
                None => None,
            };
            if let (Some(l), Some(target)) = (&leave, followed)
                && !jumps_before_leaving(b)
            {
                self.diverging.push((start, self.seq, l.clone(), target));
            }
            match block_exit(b) {
                Some(Exit::Fn) => continue,
                Some(Exit::Loop) => {
                    // A labelled `break`/`continue` to an outer construct does not reach the
                    // code after the innermost one: only that construct's exit (`push_break`).
                    let outer = matches!(&leave,
                        Some(Leave::Break(Some(l)) | Leave::Continue(Some(l)))
                            if self.loop_breaks.last().is_some_and(|(n, ..)| n.as_ref() != Some(l)));
                    if let Some(Leave::Break(label)) = leave {
                        self.push_break(label, now.clone());
                    }
                    if outer {
                        continue;
                    }
                    if let Some(acc) = self.loop_exits.last_mut() {
                        *acc = Some(match acc.take() {
                            None => now,
                            Some(m) => merge_statuses(&m, &now),
                        });
                    }
                    continue;
                }
                None => {}
            }
            merged = Some(match merged {
                None => now,
                Some(m) => merge_join(&m, &now),
            });
        }
        if merged.is_none() {
            // No branch reaches the code after them: what follows is not reached either
            // (its statuses are those before, not what the last branch left).
            self.status[..n].copy_from_slice(&before);
            self.unreachable = true;
        }
        if let Some(mut m) = merged {
            // Only a user's local declared before the branches is carried as an `Option`
            // past them; the lowering's hidden locals keep their own protocols (moved on
            // some paths, they are not carried).
            for (x, st) in m.iter_mut().enumerate() {
                if *st == Status::MaybeMoved
                    && (self.locals[x].origin == Origin::Hidden || self.decl_seq[x] >= first_seq)
                {
                    *st = Status::Moved;
                }
            }
            self.status[..n].copy_from_slice(&m);
        }
        self.branch_groups.push(ranges);
    }

    /// Whether `u` lies in another branch than `p` of some `if`/`match`: it cannot run after
    /// `p` except through a loop around both (which [`Walker::used_after`] checks separately).
    fn other_branch(&self, p: usize, u: usize) -> bool {
        self.branch_groups.iter().any(|g| {
            let of = |x: usize| g.iter().position(|&(a, b)| a <= x && x <= b);
            matches!((of(p), of(u)), (Some(i), Some(j)) if i != j)
        })
    }

    /// Whether `id` is used after point `p`: later in the text, or inside a loop around `p`
    /// that `id` was declared outside of (the next iteration uses it).
    fn used_after(&self, id: LocalId, p: usize) -> bool {
        self.used_after_but(id, p, None)
    }

    /// Whether the wrapper of the await at the current point hands back `id`, the receiver of
    /// the awaited method call, when it is not used later (it is when it is). Yes for a method
    /// taking `&self` or `&mut self`, which leaves it to drop at the end of its scope; no for one
    /// known to take `self` (`by_value`: `into_*`, `unwrap`, `json`..). Nor for the lowering's
    /// temporary (`f().await.ping()`, which lives to the end of its statement) when nothing of
    /// the statement runs after the call: the await ends the block holding it
    /// ([`Walker::await_ends_block`]), so dropped right after the call it drops at the same
    /// moment. Uses come from the first walk (`prior`). A method taking `self` that is not known
    /// so is E0382 at the `.await` (README).
    fn keeps_receiver(&self, id: LocalId, by_value: bool) -> bool {
        let in_block = |s: &Vec<(String, LocalId)>| s.iter().any(|&(_, x)| x == id);
        // The lowering's temporary, declared in the block the await ends.
        let ends_with_call = self.locals[id.0].origin == Origin::Hidden
            && self.await_ends_block
            && self.scopes.last().is_some_and(in_block);
        let used_later = |p: &Walker| p.used_after(id, self.seq);
        !(by_value || ends_with_call) || self.prior.as_deref().is_some_and(used_later)
    }

    /// The statuses of `id` at the suspensions (and, with `entries`, the entries) after point
    /// `p` where it is in scope.
    fn in_scope_after(
        &self,
        id: LocalId,
        p: usize,
        entries: bool,
    ) -> impl Iterator<Item = Status> + '_ {
        let entries = self.entry_snapshots.iter().filter(move |_| entries);
        let snaps = self.snapshots.iter().flatten();
        snaps
            .chain(entries.map(|(_, s)| s))
            .filter(move |s| s.seq > p)
            .flat_map(move |s| {
                s.in_scope
                    .iter()
                    .filter(move |&&(_, x, _)| x == id)
                    .map(|&(.., st)| st)
            })
    }

    /// [`Walker::used_after`], the uses at point `but` aside.
    fn used_after_but(&self, id: LocalId, p: usize, but: Option<usize>) -> bool {
        let uses = self.uses[id.0].iter().filter(|&&u| Some(u) != but);
        // Inside a branch that ends by leaving: the code after the branch is not reached
        // from `p` (only through the next round of a loop, below).
        let left = |u: usize| {
            self.diverging.iter().any(|(s, e, leave, target)| {
                let (s, e) = (*s, *e);
                s <= p
                    && p <= e
                    && u > e
                    && match leave {
                        Leave::Fn => true,
                        Leave::Break(_) | Leave::Continue(_) => self
                            .left_loop((s, e), *target)
                            .is_some_and(|(_, end)| u <= end),
                    }
            })
        };
        uses.clone()
            .any(|&u| u > p && !self.other_branch(p, u) && !left(u))
            || self.loops.iter().any(|&(start, end)| {
                start <= p
                    && p <= end
                    && self.decl_seq[id.0] < start
                    && !self.breaks_out(p, (start, end))
                    && uses.clone().any(|&u| start <= u && u <= end)
            })
    }

    /// Whether `p` lies in a branch that ends by leaving loop `lp` (a `break` out of it, a
    /// `return`): no next round of `lp` follows from `p`.
    fn breaks_out(&self, p: usize, lp: (usize, usize)) -> bool {
        self.diverging.iter().any(|(s, e, leave, target)| {
            let (s, e) = (*s, *e);
            // The loop it goes to contains `lp`: it leaves `lp` (a `continue` of `lp` itself
            // does not).
            let around = |t: Option<(usize, usize)>| t.is_some_and(|t| t.0 <= lp.0 && lp.1 <= t.1);
            s <= p
                && p <= e
                && lp.0 <= s
                && e <= lp.1
                && match leave {
                    Leave::Fn => true,
                    Leave::Break(_) => around(self.left_loop((s, e), *target)),
                    Leave::Continue(_) => {
                        let t = self.left_loop((s, e), *target);
                        around(t) && t != Some(lp)
                    }
                }
        })
    }

    /// The loop a `break`/`continue` ending branch `(s, e)` goes to: the one starting at
    /// `target` (a labelled one), else the innermost.
    fn left_loop(&self, range: (usize, usize), target: Option<usize>) -> Option<(usize, usize)> {
        match target {
            Some(t) => self.loops.iter().find(|&&(a, _)| a == t).copied(),
            None => self.innermost_loop(range),
        }
    }

    /// The innermost loop with awaits (not a labelled block) around the range.
    fn innermost_loop(&self, (s, e): (usize, usize)) -> Option<(usize, usize)> {
        self.loops
            .iter()
            .filter(|&&(a, b)| a <= s && e <= b)
            .max_by_key(|&&(a, _)| a)
            .copied()
    }

    /// Records the [`Analysis::force`] candidates of a statement without awaits, after its
    /// mentions (`refs`) were applied.
    fn branch_moves(&mut self, e: Option<&Expr>, refs: &[Ref]) {
        let Some(e) = e else {
            return;
        };
        let ids: Vec<LocalId> = moved_on_some_paths(e, refs)
            .iter()
            .filter_map(|name| self.resolve(name))
            .filter(|id| {
                self.locals[id.0].origin != Origin::Hidden
                    && !self.locals[id.0].has_no_drop_glue()
                    && self.status[id.0] == Status::Live
            })
            .collect();
        if ids.is_empty() {
            return;
        }
        // A `for` loop over a borrow of a local in it (`for x in &v`): lowered with jumps, its
        // iterator and that local would be carried side by side (E0505); verbatim, a move on
        // some of its paths of a `Copy` local (which syntax cannot tell) still compiles.
        if borrowing_for_loop(e) {
            return;
        }
        let key = crate::normalize::branching_key(e);
        // It may also leave a loop with awaits on the path that moved it: as a control
        // construct, that exit's status is seen (a branch's end, whose jump out says `None`).
        let leaves =
            !self.loop_breaks.is_empty() && !escaping_breaks(|f| f.visit_expr(e)).is_empty();
        for id in ids {
            self.branch_moves.push((key.clone(), id, self.seq, leaves));
        }
    }

    /// [`Walker::branch_moves`] for the `if`s and `match`es that are operands of `e`, a
    /// statement's value or an awaitee (`(match k { 0 => { drop(n); 1 } _ => 2 }) + f().await`):
    /// the normalizer lowers such a one as a statement of its own before the rest.
    fn operand_moves(&mut self, e: &Expr) {
        if crate::normalize::is_branching(unparen(e)) {
            return;
        }
        let mut found = Vec::new();
        crate::normalize::operand_branchings(e, &mut found);
        for b in found {
            let mut refs = Refs::new();
            refs.with(Mention::Move, b);
            self.branch_moves(Some(b), &refs.out);
        }
    }

    /// Applies the mentions of a statement of verbatim code, and records the statuses at the
    /// `break`s it may take ([`Walker::record_breaks`]): taken before its moves, or after them
    /// for a statement that is itself a `break` (its value runs before it leaves).
    fn apply_verbatim(
        &mut self,
        refs: &[Ref],
        is_break: bool,
        visit: impl Fn(&mut EscapingBreaks),
    ) {
        if !is_break {
            self.record_breaks(&visit);
        }
        self.apply(refs);
        if is_break {
            self.record_breaks(&visit);
        }
    }

    /// Records the statuses now as those at the `break`s that `visit`'s code may take out of
    /// the loops with awaits being walked (see `loop_breaks`).
    fn record_breaks(&mut self, visit: impl FnOnce(&mut EscapingBreaks)) {
        if self.loop_breaks.is_empty() {
            return;
        }
        for label in escaping_breaks(visit) {
            self.push_break(label, self.status.clone());
        }
    }

    /// The statuses at a `break` with `label`, for the loop or labelled block it leaves: the
    /// innermost loop for an unlabelled one (a labelled block takes labelled ones only), the
    /// one so named for a labelled one (the innermost if none is: conservative). The code
    /// after the constructs it also leaves, inside that one, is not reached by it.
    fn push_break(&mut self, label: Option<String>, now: Vec<Status>) {
        let target = match &label {
            None => self
                .loop_breaks
                .iter()
                .rposition(|(_, repeats, _)| *repeats),
            Some(l) => self
                .loop_breaks
                .iter()
                .rposition(|(n, ..)| n.as_deref() == Some(l.as_str())),
        };
        let Some(t) = target.or(self.loop_breaks.len().checked_sub(1)) else {
            return;
        };
        self.loop_breaks[t].2.push(now);
    }

    fn stmts(&mut self, stmts: &[Stmt]) {
        for (i, s) in stmts.iter().enumerate() {
            self.seq += 1;
            if let Stmt::Await(a) = s {
                self.await_ends_block = ends_block(&a.bind, &stmts[i + 1..]);
            }
            match s {
                Stmt::Code(stmt) => {
                    let refs = Walker::refs_of_stmt(stmt);
                    let is_break = matches!(stmt, syn::Stmt::Expr(Expr::Break(_), _));
                    self.apply_verbatim(&refs.out, is_break, |f| f.visit_stmt(stmt));
                    self.branch_moves(crate::normalize::branching(stmt), &refs.out);
                    if let Some(e) = crate::normalize::stmt_value(stmt) {
                        self.operand_moves(e);
                    }
                    if let syn::Stmt::Local(l) = stmt {
                        let init = l.init.as_ref().map(|i| &*i.expr);
                        let ids = self.declare_pat(&l.pat, init, origin_of(&l.pat));
                        if l.init.is_none() {
                            for id in ids {
                                self.status[id.0] = Status::Empty;
                            }
                        }
                    }
                }
                Stmt::Tail(e) => {
                    let mut refs = Refs::new();
                    refs.with(Mention::Move, e);
                    let is_break = matches!(e, Expr::Break(_));
                    self.apply_verbatim(&refs.out, is_break, |f| f.visit_expr(e));
                    self.branch_moves(crate::normalize::is_branching(e).then_some(e), &refs.out);
                    self.operand_moves(e);
                }
                Stmt::Nested { head, block, .. } => {
                    self.block(block);
                    self.seq += 1;
                    if let Head::LetElse(_, d) = head {
                        self.record_breaks(|f| f.visit_expr(d));
                        let mut refs = Refs::new();
                        refs.cond(|r| r.visit_expr(d));
                        self.apply(&refs.out);
                    }
                    if let Head::Let(p) | Head::LetElse(p, _) = head {
                        self.declare_pat(p, None, origin_of(p));
                    }
                }
                Stmt::Control { id, head, ctl } => {
                    self.control(*id, ctl);
                    self.seq += 1;
                    self.snapshot_entry(Entry::After(*id), None);
                    if let Head::Let(p) | Head::LetElse(p, _) = head {
                        self.declare_pat(p, None, origin_of(p));
                    }
                }
                Stmt::Await(a) => {
                    // Before the awaitee is built (its uses count as later).
                    self.snapshot_entry(Entry::Before(a.index), Some(self.seq - 1));
                    let mut refs = Refs::new();
                    // `x.await` moves `x` into `IntoFuture::into_future`.
                    refs.in_place = matches!(a.awaitee, Expr::Async(_));
                    refs.with(Mention::Move, &a.awaitee);
                    let mut borrowed = Vec::new();
                    let mut mentioned = Vec::new();
                    for r in &refs.out {
                        if let Some(id) = self.resolve(&r.name) {
                            if !mentioned.contains(&id) {
                                mentioned.push(id);
                            }
                            let reborrow = self.locals[id.0].is_mut_ref();
                            let borrows = r.kind == Mention::Use
                                || (r.kind == Mention::Move && (reborrow || r.captured));
                            if borrows && !borrowed.contains(&id) {
                                borrowed.push(id);
                            }
                        }
                    }
                    self.apply(&refs.out);
                    self.operand_moves(&a.awaitee);
                    // A wrapped awaitee takes every local it mentions; those used later come
                    // back with its output (see `analyze`).
                    let wrapped = refs.temp_borrow
                        || borrowed.iter().any(|id| !self.locals[id.0].is_shared_ref());
                    let receiver = receiver_root(&a.awaitee)
                        .and_then(|(n, by_value)| Some((self.resolve(&n)?, by_value)));
                    let mut wrap_keep = Vec::new();
                    if wrapped {
                        for id in &mentioned {
                            if self.locals[id.0].is_shared_ref() {
                                continue;
                            }
                            let live = self.status[id.0] == Status::Live;
                            let keep = match receiver {
                                Some((r, by_value)) if r == *id => {
                                    self.receivers_taken |= live;
                                    self.keeps_receiver(*id, by_value)
                                }
                                _ => true,
                            };
                            if live && keep {
                                wrap_keep.push(*id);
                            } else {
                                self.status[id.0] = Status::Moved;
                            }
                        }
                    }
                    let in_scope = self.in_scope();
                    if self.snapshots.len() <= a.index {
                        self.snapshots.resize_with(a.index + 1, || None);
                        self.bind_locals.resize_with(a.index + 1, Vec::new);
                    }
                    self.snapshots[a.index] = Some(Snapshot {
                        declared: self.locals.len(),
                        in_scope,
                        seq: self.seq,
                        borrowed,
                        mentioned,
                        wrap_keep,
                        temp_borrow: refs.temp_borrow,
                        anonymous: crate::codegen::expr_defines_anonymous(&a.awaitee),
                        span: a.span,
                    });
                    self.seq += 1;
                    let ids = match &a.bind {
                        Bind::Pat(p) => {
                            let ids = self.declare_pat(p, None, origin_of(p));
                            let text = format!("{}.await", crate::rewrite::compact(&a.awaitee));
                            for id in &ids {
                                self.locals[id.0].init_text = Some(text.clone());
                            }
                            ids
                        }
                        // Mutable: the awaited value may be a guard used through `DerefMut`
                        // (`m.lock().await.push(x)`).
                        Bind::Hidden(i) => {
                            vec![self.declare(i.clone(), true, None, Origin::Hidden, None)]
                        }
                        Bind::Discard => Vec::new(),
                    };
                    self.bind_locals[a.index] = ids;
                }
            }
        }
    }
}

/// The outer locals `e` assigns (`x = ..`) on every path that completes; `None` when no path
/// completes (`return`, `break`, `continue`, `panic!`). Conservative: loops, closures and
/// `async` blocks assign nothing; bindings made inside do not count.
fn assigns(e: &Expr) -> Option<HashSet<String>> {
    fn meet(a: Option<HashSet<String>>, b: Option<HashSet<String>>) -> Option<HashSet<String>> {
        match (a, b) {
            (None, x) | (x, None) => x,
            (Some(a), Some(b)) => Some(a.intersection(&b).cloned().collect()),
        }
    }
    fn seq(a: Option<HashSet<String>>, b: Option<HashSet<String>>) -> Option<HashSet<String>> {
        let (mut a, b) = (a?, b?);
        a.extend(b);
        Some(a)
    }
    fn block(b: &syn::Block) -> Option<HashSet<String>> {
        let mut out = HashSet::new();
        let mut bound: HashSet<String> = HashSet::new();
        for st in &b.stmts {
            let got = match st {
                syn::Stmt::Local(l) => {
                    let got = match &l.init {
                        Some(init) => assigns(&init.expr),
                        None => Some(HashSet::new()),
                    };
                    let mut names = Vec::new();
                    pat_idents(&l.pat, &mut names);
                    bound.extend(names.into_iter().map(|(i, _, _)| i.to_string()));
                    got
                }
                syn::Stmt::Expr(e, _) => assigns(e),
                syn::Stmt::Macro(m) => {
                    if diverging_macro(&m.mac) {
                        None
                    } else {
                        Some(HashSet::new())
                    }
                }
                syn::Stmt::Item(_) => Some(HashSet::new()),
            };
            let got = got?;
            out.extend(got.into_iter().filter(|n| !bound.contains(n)));
        }
        Some(out)
    }
    match e {
        Expr::Assign(a) => {
            let right = assigns(&a.right);
            let mut targets = Vec::new();
            if assign_targets(&a.left, &mut targets) {
                seq(right, Some(targets.into_iter().collect()))
            } else {
                right
            }
        }
        Expr::Block(b) if b.label.is_none() => block(&b.block),
        Expr::Unsafe(u) => block(&u.block),
        Expr::Paren(p) => assigns(&p.expr),
        Expr::Group(g) => assigns(&g.expr),
        Expr::If(i) => {
            let cond = assigns(&i.cond);
            let branches = match &i.else_branch {
                Some((_, els)) => meet(block(&i.then_branch), assigns(els)),
                None => Some(HashSet::new()),
            };
            seq(cond, branches)
        }
        Expr::Match(m) => {
            let arms = m
                .arms
                .iter()
                .fold(None, |acc: Option<Option<HashSet<String>>>, a| {
                    let mut names = Vec::new();
                    pat_idents(&a.pat, &mut names);
                    let got = assigns(&a.body).map(|mut set| {
                        for (i, _, _) in &names {
                            set.remove(&i.to_string());
                        }
                        set
                    });
                    Some(match acc {
                        None => got,
                        Some(prev) => meet(prev, got),
                    })
                });
            seq(assigns(&m.expr), arms.unwrap_or(None))
        }
        e if diverges(e) => None,
        _ => Some(HashSet::new()),
    }
}

/// The locals `left` assigns as a whole: `x = ..`, or a destructuring assignment
/// (`(a, b) = ..`, `[a, _] = ..`); `false` for anything else (`x.f = ..`, `*r = ..`).
fn assign_targets(left: &Expr, out: &mut Vec<String>) -> bool {
    match left {
        Expr::Path(p) => match p.path.get_ident() {
            Some(i) => {
                out.push(i.to_string());
                true
            }
            None => false,
        },
        Expr::Infer(_) => true,
        Expr::Paren(p) => assign_targets(&p.expr, out),
        Expr::Tuple(t) => t.elems.iter().all(|e| assign_targets(e, out)),
        Expr::Array(a) => a.elems.iter().all(|e| assign_targets(e, out)),
        _ => false,
    }
}

/// Where a branch that never completes goes.
pub(crate) enum Exit {
    /// Out of the fn: `return` (`break '__body`), or a panicking macro.
    Fn,
    /// Out of a loop or labelled block: `break`, `continue`.
    Loop,
}

/// Where block `b` goes when its last statement never completes.
fn block_exit(b: &Block) -> Option<Exit> {
    stmt_exit(b.stmts.last()?)
}

/// Where a lowered statement goes when it never completes: a `return`/`break`/`continue` or
/// panicking macro statement or tail, or a nested block (the statement holding an await,
/// `return f().await;`) whose last statement never completes. `None`: it may complete.
pub(crate) fn stmt_exit(s: &Stmt) -> Option<Exit> {
    fn of_expr(e: &Expr) -> Option<Exit> {
        match e {
            Expr::Return(_) | Expr::Macro(_) if diverges(e) => Some(Exit::Fn),
            Expr::Break(b) if crate::rewrite::returns(b.label.as_ref()) => Some(Exit::Fn),
            Expr::Break(_) | Expr::Continue(_) => Some(Exit::Loop),
            _ => None,
        }
    }
    match s {
        Stmt::Code(syn::Stmt::Expr(e, Some(_))) | Stmt::Tail(e) => of_expr(e),
        Stmt::Code(syn::Stmt::Macro(m)) if diverging_macro(&m.mac) => Some(Exit::Fn),
        Stmt::Nested { block, .. } => block_exit(block),
        _ => None,
    }
}

/// How a branch that never completes leaves, see [`Walker::diverging`].
#[derive(Clone, Debug, PartialEq, Eq)]
enum Leave {
    /// `return`, a panicking macro.
    Fn,
    /// A `break`, with its label.
    Break(Option<String>),
    /// A `continue`, with its label.
    Continue(Option<String>),
}

/// How block `b` (a branch) leaves, if it ends with `return`, a panicking macro, a `break` or
/// a `continue` (see [`block_exit`]).
fn block_leave(b: &Block) -> Option<Leave> {
    let label = |l: &Option<syn::Lifetime>| l.as_ref().map(|l| l.ident.to_string());
    match b.stmts.last()? {
        Stmt::Code(syn::Stmt::Expr(e, Some(_))) | Stmt::Tail(e) => match e {
            Expr::Break(br) if !crate::rewrite::returns(br.label.as_ref()) => {
                Some(Leave::Break(label(&br.label)))
            }
            Expr::Continue(c) => Some(Leave::Continue(label(&c.label))),
            _ => matches!(block_exit(b), Some(Exit::Fn)).then_some(Leave::Fn),
        },
        Stmt::Nested { block, .. } => block_leave(block),
        _ => matches!(block_exit(b), Some(Exit::Fn)).then_some(Leave::Fn),
    }
}

/// The `break`s in `visit`'s code that leave it (not a native loop or labelled block inside
/// it), by label (`None`: unlabelled); a `return` (`break '__body`) aside.
fn escaping_breaks(visit: impl FnOnce(&mut EscapingBreaks)) -> Vec<Option<String>> {
    let mut f = EscapingBreaks {
        found: Vec::new(),
        native: Vec::new(),
    };
    visit(&mut f);
    f.found
}

/// A native loop or labelled block inside verbatim code, as the target of a `break` or
/// `continue` there (see [`caught_natively`]).
pub(crate) enum NativeTarget {
    /// A `loop`, `while` or `for`, with its label.
    Loop(Option<String>),
    /// A labelled block, which only a `break` naming it leaves.
    Block(String),
}

impl NativeTarget {
    /// The target `e` is, if a loop or a labelled block.
    pub(crate) fn of(e: &Expr) -> Option<NativeTarget> {
        let label = |l: &Option<syn::Label>| l.as_ref().map(|l| l.name.ident.to_string());
        match e {
            Expr::Loop(l) => Some(NativeTarget::Loop(label(&l.label))),
            Expr::While(w) => Some(NativeTarget::Loop(label(&w.label))),
            Expr::ForLoop(f) => Some(NativeTarget::Loop(label(&f.label))),
            Expr::Block(b) => label(&b.label).map(NativeTarget::Block),
            _ => None,
        }
    }
}

/// Whether a `break`/`continue` with `label` (`None`: unlabelled) goes to one of the native
/// targets it is `inside`, not out of the verbatim code.
pub(crate) fn caught_natively(inside: &[NativeTarget], label: Option<&str>) -> bool {
    inside.iter().any(|t| match (t, label) {
        (NativeTarget::Loop(_), None) => true,
        (NativeTarget::Loop(Some(l)) | NativeTarget::Block(l), Some(name)) => l == name,
        _ => false,
    })
}

/// See [`escaping_breaks`].
struct EscapingBreaks {
    found: Vec<Option<String>>,
    /// Native loops and labelled blocks entered.
    native: Vec<NativeTarget>,
}

impl<'a> Visit<'a> for EscapingBreaks {
    fn visit_expr(&mut self, e: &'a Expr) {
        match e {
            Expr::Closure(_) | Expr::Async(_) | Expr::Const(_) => {}
            // The iterated expression is outside the loop.
            Expr::ForLoop(f) => {
                self.visit_expr(&f.expr);
                self.native.extend(NativeTarget::of(e));
                self.visit_block(&f.body);
                self.native.pop();
            }
            Expr::Break(br) => {
                let label = br.label.as_ref().map(|l| l.ident.to_string());
                if !caught_natively(&self.native, label.as_deref())
                    && !crate::rewrite::returns(br.label.as_ref())
                {
                    self.found.push(label);
                }
                visit::visit_expr_break(self, br);
            }
            Expr::Macro(m) => self.visit_macro(&m.mac),
            e => match NativeTarget::of(e) {
                Some(t) => {
                    self.native.push(t);
                    visit::visit_expr(self, e);
                    self.native.pop();
                }
                None => visit::visit_expr(self, e),
            },
        }
    }
    fn visit_macro(&mut self, m: &'a syn::Macro) {
        if let Some(Ok(args)) = macros::parse_known(m) {
            for e in args.exprs() {
                self.visit_expr(e);
            }
        }
    }
    fn visit_item(&mut self, _: &'a syn::Item) {}
}

/// The status of each local after the branches of an `if`/`match` with awaits join: moved on
/// some and live on others, it may be moved (see [`Status::MaybeMoved`]).
fn merge_join(a: &[Status], b: &[Status]) -> Vec<Status> {
    a.iter()
        .zip(b)
        .map(|(a, b)| match (*a, *b) {
            (Status::Moved | Status::MaybeMoved, Status::Live | Status::MaybeMoved)
            | (Status::Live | Status::MaybeMoved, Status::Moved | Status::MaybeMoved)
                if a != b =>
            {
                Status::MaybeMoved
            }
            (a, b) => merge_status(a, b),
        })
        .collect()
}

/// The status of each local after paths with statuses `a` and `b` join (at a loop's exit: a
/// local moved on some paths is not carried past it).
fn merge_statuses(a: &[Status], b: &[Status]) -> Vec<Status> {
    a.iter().zip(b).map(|(a, b)| merge_status(*a, *b)).collect()
}

/// See [`merge_statuses`].
fn merge_status(a: Status, b: Status) -> Status {
    match (a, b) {
        (a, b) if a == b => a,
        (Status::Moved | Status::MaybeMoved, _) | (_, Status::Moved | Status::MaybeMoved) => {
            Status::Moved
        }
        // Assigned on some branches, empty (or maybe) on others.
        _ => Status::MaybeEmpty,
    }
}

/// An expression that never completes: `return`, `break`, `continue`, or a
/// [`diverging_macro`].
pub(crate) fn diverges(e: &Expr) -> bool {
    match e {
        Expr::Return(_) | Expr::Break(_) | Expr::Continue(_) => true,
        Expr::Macro(m) => diverging_macro(&m.mac),
        _ => false,
    }
}

/// `panic!`, `unreachable!`, `todo!`, `unimplemented!`: a macro that never completes.
pub(crate) fn diverging_macro(m: &syn::Macro) -> bool {
    m.path.segments.last().is_some_and(|s| {
        ["panic", "unreachable", "todo", "unimplemented"].contains(&s.ident.to_string().as_str())
    })
}

/// Every identifier written in `b`.
fn block_idents(b: &Block, out: &mut HashSet<String>) {
    stmts_idents(&b.stmts, out);
}

/// Whether a `break` or `continue` (a `return` through `?` included) may run in branch `b`
/// before its last statement leaves: then the code after it may be reached from inside it.
fn jumps_before_leaving(b: &Block) -> bool {
    let Some((last, before)) = b.stmts.split_last() else {
        return false;
    };
    let mut names = HashSet::new();
    stmts_idents(before, &mut names);
    match last {
        Stmt::Nested { block, head, .. } => {
            if let Head::LetElse(_, d) = head {
                tokens_idents(quote::ToTokens::to_token_stream(d), &mut names);
            }
            if jumps_before_leaving(block) {
                return true;
            }
        }
        Stmt::Code(syn::Stmt::Expr(e, _)) | Stmt::Tail(e) => {
            let value = match e {
                Expr::Break(br) => br.expr.as_deref(),
                Expr::Return(r) => r.expr.as_deref(),
                Expr::Continue(_) => None,
                e => Some(e),
            };
            if let Some(v) = value {
                tokens_idents(quote::ToTokens::to_token_stream(v), &mut names);
            }
        }
        s => stmts_idents(std::slice::from_ref(s), &mut names),
    }
    names.contains("break") || names.contains("continue")
}

fn tokens_idents(t: TokenStream, out: &mut HashSet<String>) {
    let t: Vec<proc_macro2::TokenTree> = t.into_iter().collect();
    for (k, tt) in t.iter().enumerate() {
        match tt {
            // `break '__body v` is the fn's `return v` (see `rewrite::body_label`): not a jump
            // to code after a branch (see `jumps_before_leaving`).
            proc_macro2::TokenTree::Ident(i)
                if i == "break"
                    && matches!(t.get(k + 1), Some(proc_macro2::TokenTree::Punct(p)) if p.as_char() == '\'')
                    && matches!(t.get(k + 2), Some(proc_macro2::TokenTree::Ident(l))
                        if l == crate::rewrite::BODY_LABEL) => {}
            proc_macro2::TokenTree::Ident(i) => {
                out.insert(i.to_string());
            }
            proc_macro2::TokenTree::Group(g) => tokens_idents(g.stream(), out),
            _ => {}
        }
    }
}

fn stmts_idents(stmts: &[Stmt], out: &mut HashSet<String>) {
    use quote::ToTokens;
    for s in stmts {
        match s {
            Stmt::Code(c) => tokens_idents(c.to_token_stream(), out),
            Stmt::Tail(e) => tokens_idents(e.to_token_stream(), out),
            Stmt::Await(a) => tokens_idents(a.awaitee.to_token_stream(), out),
            Stmt::Nested { block, .. } => block_idents(block, out),
            Stmt::Control { ctl, .. } => match ctl {
                Control::If { cond, then, els } => {
                    tokens_idents(cond.to_token_stream(), out);
                    block_idents(then, out);
                    if let Some(e) = els {
                        block_idents(e, out);
                    }
                }
                Control::Match { scrut, arms } => {
                    tokens_idents(scrut.to_token_stream(), out);
                    for a in arms {
                        if let Some(g) = &a.guard {
                            tokens_idents(g.to_token_stream(), out);
                        }
                        block_idents(&a.body, out);
                    }
                }
                Control::Loop { body, .. } => block_idents(body, out),
            },
        }
    }
}

/// The arms of a `match` for [`Walker::branches`]: the arms, the scrutinee when it is a local
/// each arm that takes all of it moves, and when the scrutinee is a borrow (`&place`), the
/// locals the arms' bindings borrow.
type MatchArms<'a> = (
    &'a [crate::normalize::Arm],
    Option<LocalId>,
    Option<Vec<LocalId>>,
);

/// Whether a pattern matched against a borrow may bind by value (copies): it holds a `&`
/// pattern (`&(a, b)`) or a `mut` binding, which reset match ergonomics to moves.
fn copies_under_borrow(p: &Pat) -> bool {
    struct Find(bool);
    impl<'a> Visit<'a> for Find {
        fn visit_pat_reference(&mut self, _: &'a syn::PatReference) {
            self.0 = true;
        }
        fn visit_pat_ident(&mut self, i: &'a syn::PatIdent) {
            self.0 |= i.mutability.is_some() && i.by_ref.is_none();
            visit::visit_pat_ident(self, i);
        }
    }
    let mut f = Find(false);
    f.visit_pat(p);
    f.0
}

/// `==`, `!=`, `<`, `<=`, `>`, `>=`: they give a `bool`.
fn is_comparison(op: &syn::BinOp) -> bool {
    use syn::BinOp::*;
    matches!(op, Eq(_) | Ne(_) | Lt(_) | Le(_) | Gt(_) | Ge(_))
}

/// The primitive types a written type may name (no drop glue, no borrow).
const PRIMITIVES: &[&str] = &[
    "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize", "f32",
    "f64", "bool", "char",
];

fn no_drop_glue(t: &Type) -> bool {
    match t {
        Type::Reference(_) | Type::Never(_) => true,
        Type::Path(p) => {
            if p.qself.is_some() {
                return false;
            }
            if let Some(i) = p.path.get_ident() {
                return PRIMITIVES.contains(&i.to_string().as_str());
            }
            // `Option<u32>`, `Result<u8, bool>`: no drop glue when their parameters have none.
            let Some(last) = p.path.segments.last() else {
                return false;
            };
            let known = ["Option", "Result"].contains(&last.ident.to_string().as_str());
            match &last.arguments {
                syn::PathArguments::AngleBracketed(a) if known => a.args.iter().all(|g| match g {
                    syn::GenericArgument::Type(t) => no_drop_glue(t),
                    _ => false,
                }),
                _ => false,
            }
        }
        Type::Tuple(t) => t.elems.iter().all(no_drop_glue),
        Type::Array(a) => no_drop_glue(&a.elem),
        Type::Paren(p) => no_drop_glue(&p.elem),
        _ => false,
    }
}

fn origin_of(p: &Pat) -> Origin {
    match p {
        // The lowering's own temporaries; a local renamed because it is shadowed is the user's.
        Pat::Ident(i)
            if i.ident.to_string().starts_with("__")
                && !i.ident.to_string().starts_with(crate::shadow::PREFIX) =>
        {
            Origin::Hidden
        }
        _ => Origin::Let,
    }
}

fn camel(name: &str) -> String {
    let mut out = String::new();
    let mut up = true;
    for c in name.chars() {
        if c == '_' {
            up = true;
        } else if up {
            out.extend(c.to_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'L');
    }
    if out == "Self" {
        out.push('_');
    }
    out
}

/// Runs the analysis over the normalized body of `f`.
pub fn analyze(f: &AsyncFn, body: &Block, awaits: usize) -> syn::Result<Analysis> {
    let mut w = walk(f, body, awaits, None);
    // The receiver of an awaited method that a wrapper takes (`tx.send(x).await`) may be
    // consumed by it: moved, unless used later, when the wrapper hands it back. What is used
    // later is known once the walk is done: walked again, knowing it.
    if w.receivers_taken {
        let first = Box::new(w);
        w = walk(f, body, awaits, Some(first));
    }
    analyze_walked(w)
}

/// The walk of [`analyze`]; `prior`: an earlier walk of the same body, whose uses tell which
/// receivers are used later.
fn walk(f: &AsyncFn, body: &Block, awaits: usize, prior: Option<Box<Walker>>) -> Walker {
    let mut w = Walker {
        prior,
        receivers_taken: false,
        unreachable: false,
        await_ends_block: false,
        locals: Vec::new(),
        scopes: vec![Vec::new()],
        status: Vec::new(),
        last_use: Vec::new(),
        seq: 0,
        snapshots: Vec::new(),
        bind_locals: Vec::new(),
        errors: None,
        used_fields: ["__awaitee".to_string(), "__value".to_string()]
            .into_iter()
            .collect(),
        uses: Vec::new(),
        ref_bindings: Vec::new(),
        decl_seq: Vec::new(),
        loops: Vec::new(),
        loop_assigned: HashSet::new(),
        loop_exits: Vec::new(),
        loop_breaks: Vec::new(),
        branch_groups: Vec::new(),
        diverging: Vec::new(),
        loop_starts: Vec::new(),
        branch_moved: std::collections::BTreeMap::new(),
        entry_snapshots: Vec::new(),
        used_params: HashSet::new(),
        branch_moves: Vec::new(),
    };
    for i in 0..awaits {
        w.used_params.insert(format!("Fut{i}"));
    }
    // Parameters: bound at the first poll in order, like rustc's `let x = x;` prologue.
    for (i, p) in f.params.iter().enumerate() {
        match &p.kind {
            ParamKind::Receiver { mutable, span } => {
                let id = w.declare(
                    crate::rewrite::self_ident(*span),
                    *mutable,
                    Some(p.ty.clone()),
                    Origin::Receiver,
                    None,
                );
                w.used_fields.insert(p.field.to_string());
                let _ = id;
            }
            ParamKind::Ident { ident, mutable } => {
                let ident = p.rename.clone().unwrap_or_else(|| ident.clone());
                w.declare(ident, *mutable, Some(p.ty.clone()), Origin::Param(i), None);
            }
            ParamKind::Pattern(pat) => {
                // rustc binds `let <pat> = __argN;`: what the pattern leaves in place stays
                // alive in `__argN` until the end of the body.
                let arg = w.declare(
                    p.field.clone(),
                    false,
                    Some(p.ty.clone()),
                    Origin::Param(i),
                    None,
                );
                if moves_whole(pat) {
                    w.status[arg.0] = Status::Moved;
                }
                w.declare_pat(pat, None, Origin::Let);
            }
        }
    }
    w.block_root(body);
    w
}

fn analyze_walked(mut w: Walker) -> syn::Result<Analysis> {
    let mut suspensions = Vec::new();
    let mut errors: Vec<syn::Error> = Vec::new();
    // A local declared without a value and assigned in a loop with awaits, kept across an
    // await or a loop's head where it may still be empty: rustc knows whether it holds a value
    // with a drop flag; the state would have to store a value that may not exist (E0381).
    let mut reported = HashSet::new();
    let mut maybe_empty = |w: &Walker,
                           id: LocalId,
                           status: Status,
                           errors: &mut Vec<syn::Error>| {
        if status == Status::MaybeEmpty && w.loop_assigned.contains(&id) && reported.insert(id) {
            let l = &w.locals[id.0];
            errors.push(syn::Error::new(
                l.ident.span(),
                format!(
                    "#[state_machine] cannot keep `{0}` across the awaits of the loop that assigns it: declared without a value, it holds one only after the loop's first assignment, which the lowering cannot track (rustc uses a drop flag). Give it a value where it is declared (`let mut {0} = None;`, then `{0} = Some(..)`), or declare it inside the loop",
                    crate::shadow::display_name(&l.ident)
                ),
            ));
        }
    };
    let mut flagged = std::collections::BTreeSet::new();
    // A local moved on some branches that is used after the join anywhere is `Copy` (or the
    // native fn is rejected too): never carried as an `Option`, so that every point after the
    // join holds it the same way.
    let mut plain_after_join: HashSet<LocalId> = HashSet::new();
    {
        let entry_snaps = w.entry_snapshots.iter().map(|(_, s)| s);
        for snap in w.snapshots.iter().flatten().chain(entry_snaps) {
            for &(_, id, status) in &snap.in_scope {
                if status == Status::MaybeMoved && w.used_after(id, snap.seq) {
                    plain_after_join.insert(id);
                }
            }
        }
    }
    // Carried as an `Option` at a point: moved on some branches before it, not used after it
    // (anywhere after the join), with drop glue.
    let flag = |id: LocalId, status: Status, used: bool| {
        status == Status::MaybeMoved
            && !used
            && !w.locals[id.0].has_no_drop_glue()
            && !plain_after_join.contains(&id)
    };
    let early = dropped_early(&w);
    let mut wrap_loops: HashSet<String> = HashSet::new();
    for (index, snap) in w.snapshots.iter().enumerate() {
        let Some(snap) = snap else {
            suspensions.push(Suspension::default());
            continue;
        };
        let depth = snap.in_scope.iter().map(|x| x.0).max().unwrap_or(0);
        let mut s = Suspension {
            saved: vec![Vec::new(); depth + 1],
            fresh: vec![Vec::new(); depth + 1],
            ..Default::default()
        };
        let used_after = |id: LocalId| w.used_after(id, snap.seq);
        // Wrap when the awaitee borrows a local that stays in scope, or a temporary.
        let needs_wrap = snap.temp_borrow
            || snap.borrowed.iter().any(|id| {
                let l = &w.locals[id.0];
                !l.is_shared_ref()
            });
        s.wrapped = needs_wrap;
        for &(level, id, status) in &snap.in_scope {
            let local = &w.locals[id.0];
            if status == Status::Empty {
                // Nothing to save: declared again, without a value, where the code resumes
                // (also when not used after: a jump written after a `return` may still name it;
                // codegen drops the declarations an arm does not use).
                s.fresh[level].push(id);
                continue;
            }
            if let Some(&first) = early.get(&id) {
                // Dropped here, checked to have no destructor at its first await.
                if first == index {
                    s.dropped_early.push(id);
                }
                continue;
            }
            let may_hold = matches!(status, Status::Live | Status::MaybeEmpty);
            let keep = used_after(id) || (may_hold && !local.has_no_drop_glue());
            // Used after, a local moved on some branches is `Copy` (or the native fn is
            // rejected too): kept as it is.
            if flag(id, status, keep) {
                flagged.insert((Point::Suspension(index), id));
                s.saved[level].push(id);
                continue;
            }
            if !keep {
                continue;
            }
            maybe_empty(&w, id, status, &mut errors);
            if needs_wrap && snap.mentioned.contains(&id) && !local.is_shared_ref() {
                // Taken by the wrapping `async move` block; handed back if used later,
                // otherwise dropped when the awaited call completes.
                if used_after(id) || snap.wrap_keep.contains(&id) {
                    s.returned.push(id);
                    s.returned_levels.push(level);
                }
                continue;
            }
            s.saved[level].push(id);
        }
        // Cancelled there, the wrapper drops the locals it took right after the awaited call;
        // the native fn drops every value declared after them first (reverse declaration
        // order). So the wrapper takes those that may need dropping too, and drops all it
        // holds in that order (it mentions them in reverse declaration order first: an `async`
        // block drops its captures in the order they are first mentioned; see codegen).
        if let Some(&first) = s.returned.iter().min() {
            for (level, ids) in s.saved.iter_mut().enumerate() {
                ids.retain(|id| {
                    let later = *id > first && !w.locals[id.0].has_no_drop_glue();
                    if later {
                        s.returned.push(*id);
                        s.returned_levels.push(level);
                    }
                    !later
                });
            }
        }
        for level in &s.saved {
            for id in level {
                if w.ref_bindings.contains(id) {
                    let mut e = syn::Error::new(
                        w.locals[id.0].ident.span(),
                        "#[state_machine] cannot save a `ref` binding across an await: it borrows a value the state would have to move; bind by value, or borrow again after the await",
                    );
                    e.combine(syn::Error::new(snap.span, "the await it is kept across"));
                    errors.push(e);
                }
            }
        }
        // A saved reference to another saved local cannot live in the state, nor in the wrapper
        // of an awaitee that takes both (an `async move` block capturing them by move).
        let mut kept: Vec<LocalId> = s.saved.iter().flatten().copied().collect();
        for id in &s.returned {
            if !kept.contains(id) {
                kept.push(*id);
            }
        }
        for &id in &kept {
            let l = &w.locals[id.0];
            for b in &l.borrows {
                // Through a shared reference (`s: &str`, `s.split(',')`), what is borrowed is
                // the referent, not the local: the local may move.
                if kept.contains(b) && !w.locals[b.0].is_shared_ref() {
                    let target = &w.locals[b.0].ident;
                    let what = if l.borrows.len() == 1 {
                        "borrows"
                    } else {
                        "borrows, among others,"
                    };
                    if let Some(key) = &l.loop_iterable {
                        // Awaited as one future instead, in a compiler-checked block that
                        // holds both (`normalize`'s `for` lowering).
                        wrap_loops.insert(format!("{}{key}", crate::normalize::WRAP_LOOP));
                        continue;
                    }
                    let message = if l.ident.to_string().starts_with("__iter") {
                        format!(
                            "the iterator of this `for` loop borrows `{target}`, and both are kept across the `.await` of `Suspend{index}` in its body; the state enum moves saved locals, so the iterator cannot keep borrowing it. Iterate over indices (`for i in 0..{target}.len() {{ let x = &{target}[i]; .. }}`) or over an owned iterator (`for x in {target}.clone()`, `for x in std::mem::take(&mut {target})`)"
                        )
                    } else {
                        // The lowering's hidden locals are temporaries of the user's statement.
                        let named = |x: &Local| {
                            if x.origin == Origin::Hidden {
                                "a temporary of this statement".to_string()
                            } else {
                                format!("`{}`", crate::shadow::display_name(&x.ident))
                            }
                        };
                        let (who, mut whom) = (named(l), named(&w.locals[b.0]));
                        if who == whom {
                            whom = "another one".to_string();
                        }
                        let who = who[..1].to_uppercase() + &who[1..];
                        let hidden =
                            l.origin == Origin::Hidden || w.locals[b.0].origin == Origin::Hidden;
                        let first = if hidden {
                            ", bind the statement's parts to locals of their own first"
                        } else {
                            ""
                        };
                        format!(
                            "{who} {what} {whom} and both are kept across the `.await` of `Suspend{index}`; the state enum moves saved locals, so it cannot hold a reference from one to another. Borrow again after the await{first}, or capture by value (`move |..|`, or a clone)"
                        )
                    };
                    let mut e = syn::Error::new(l.init_span, message);
                    e.combine(syn::Error::new(snap.span, "the await that keeps both"));
                    errors.push(e);
                }
            }
        }
        suspensions.push(s);
    }
    let mut entries = std::collections::BTreeMap::new();
    let mut entries_fresh = std::collections::BTreeMap::new();
    for (entry, snap) in &w.entry_snapshots {
        let depth = snap.in_scope.iter().map(|x| x.0).max().unwrap_or(0);
        let mut levels = vec![Vec::new(); depth + 1];
        let mut fresh = vec![Vec::new(); depth + 1];
        for &(level, id, status) in &snap.in_scope {
            let local = &w.locals[id.0];
            let used = w.used_after(id, snap.seq);
            if status == Status::Empty {
                fresh[level].push(id);
            } else if flag(id, status, used) {
                flagged.insert((Point::Entry(*entry), id));
                levels[level].push(id);
            } else if used
                || (matches!(status, Status::Live | Status::MaybeEmpty)
                    && !local.has_no_drop_glue())
            {
                maybe_empty(&w, id, status, &mut errors);
                levels[level].push(id);
            }
        }
        entries.insert(*entry, levels);
        entries_fresh.insert(*entry, fresh);
    }
    for e in errors {
        w.error(e);
    }
    if let Some(e) = w.errors {
        return Err(e);
    }
    // A candidate is forced when a later suspension or jump would carry the local.
    let carried_later = |id: LocalId, seq: usize| {
        w.in_scope_after(id, seq, true)
            .any(|st| !matches!(st, Status::Moved | Status::Empty))
    };
    let mut force: HashSet<String> = w
        .branch_moves
        .iter()
        // Its own uses aside: in a loop, the path that moves it must leave the loop (rustc
        // would refuse the next round's move otherwise).
        .filter(|(_, id, seq, leaves)| {
            *leaves || (!w.used_after_but(*id, *seq, Some(*seq)) && carried_later(*id, *seq))
        })
        .map(|(key, ..)| key.clone())
        .collect();
    force.extend(wrap_loops);
    // What each branch end moved, for the locals flagged at the join after it.
    let flagged_ids: HashSet<LocalId> = flagged.iter().map(|(_, id)| *id).collect();
    let moved_at_end = w
        .branch_moved
        .into_iter()
        .map(|(k, ids)| {
            let ids: Vec<LocalId> = ids
                .into_iter()
                .filter(|id| flagged_ids.contains(id))
                .collect();
            (k, ids)
        })
        .filter(|(_, ids)| !ids.is_empty())
        .collect();
    let mut declared_before = std::collections::BTreeMap::new();
    for (k, snap) in w.snapshots.iter().enumerate() {
        if let Some(snap) = snap {
            declared_before.insert(Point::Suspension(k), snap.declared);
        }
    }
    for (entry, snap) in &w.entry_snapshots {
        declared_before.insert(Point::Entry(*entry), snap.declared);
    }
    Ok(Analysis {
        force,
        declared_before,
        entries,
        entries_fresh,
        locals: w.locals,
        suspensions,
        bind_locals: w.bind_locals,
        flagged,
        moved_at_end,
    })
}

impl Walker {
    fn block_root(&mut self, b: &Block) {
        // The parameters' scope (level 0) is the body's scope, as in rustc's desugaring.
        self.stmts(&b.stmts);
    }
}

/// Unused; keeps `TokenStream` imported for docs.
#[allow(dead_code)]
fn _t(_: TokenStream) {}

/// Whether `e` is a path whose last segment is `name` (`::core::iter::IntoIterator::into_iter`).
fn path_ends_with(e: &Expr, name: &str) -> bool {
    matches!(e, Expr::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn saved(f: TokenStream) -> Vec<String> {
        let f = crate::parse::parse(f).unwrap();
        let mut body = f.block.clone();
        crate::rewrite::rewrite(&mut body, &quote!(::awaitgraph::__private), &[]).unwrap();
        let (b, _, n) = crate::normalize::normalize(body).unwrap();
        let a = analyze(&f, &b, n).unwrap();
        a.suspensions
            .iter()
            .map(|s| {
                let mut v: Vec<String> = s
                    .saved
                    .iter()
                    .flatten()
                    .map(|id| a.locals[id.0].ident.to_string())
                    .collect();
                if s.wrapped {
                    v.push(format!(
                        "wrap[{}]",
                        s.returned
                            .iter()
                            .map(|id| a.locals[id.0].ident.to_string())
                            .collect::<Vec<_>>()
                            .join(",")
                    ));
                }
                v.join(" ")
            })
            .collect()
    }

    #[test]
    fn issue_example() {
        let s = saved(quote! {
            async fn demo(n: u64, name: &str) -> Result<usize, E> {
                let data = format!("{}-{}", name, fetch(n).await?);
                let len = process(data).await;
                Ok(len + n as usize)
            }
        });
        assert_eq!(s, ["n name", "n"]);
    }

    #[test]
    fn shared_borrows_of_literals_keep_nothing() {
        // Promoted to constants: no temporary, no wrapper. A `&mut` borrow of a literal and a
        // `..._mut` method on one borrow a temporary kept past the await (wrapped), as does a
        // borrow of an array holding a non-literal.
        let s = saved(quote! {
            async fn f(k: u32) {
                g([1u32, 2].iter().sum::<u32>()).await;
                g([3u32, 4].iter()).await;
                g(&(5u8, "six")).await;
                g([-1i32; 3].iter()).await;
                g(&mut 7u32).await;
                g([8u32; 2].iter_mut()).await;
                g([k, 9].iter().sum::<u32>()).await;
                use_it(k);
            }
        });
        assert_eq!(
            s,
            [
                "k",
                "k",
                "k",
                "k",
                "k wrap[__e1]",
                "k wrap[__e3]",
                "k wrap[__e5]"
            ]
        );
    }

    #[test]
    fn chains_ending_in_an_owned_result_borrow_nothing() {
        let s = saved(quote! {
            async fn f(v: Vec<u64>) {
                let n = v.iter().sum::<u64>();
                let c = v.iter().count();
                let w: Vec<u64> = v.iter().copied().collect();
                let lens: Vec<(usize, String)> = v.iter().map(|x| (1, x.to_string())).collect();
                g().await;
                use_it(n, c, v, w, lens);
            }
        });
        assert_eq!(s, ["v n c w lens"]);
    }

    #[test]
    fn tuple_bindings_pair_with_their_initializers() {
        let s = saved(quote! {
            async fn f(v: Vec<u64>, k: u64) {
                let (a, b, c) = (&v[0], v.len(), S::new(k));
                g().await;
                use_it(b, v);
            }
        });
        // `a` is a reference, dead at the await; `c` may need dropping.
        assert_eq!(s, ["v b c"]);
    }

    #[test]
    fn moved_locals_are_not_saved_unless_used() {
        let s = saved(quote! {
            async fn f() {
                let a = S::new(); let b = S::new(); let c = 1;
                drop(a);
                g().await;
                b.len();
            }
        });
        assert_eq!(s, ["b c"]);
    }

    #[test]
    fn borrowed_locals_wrap_the_awaitee() {
        let s = saved(quote! {
            async fn f(&mut self, out: &mut Vec<u8>) {
                let mut buf = Vec::new();
                let k = 1;
                read(&mut buf).await;
                self.conn.flush().await;
                fill(out).await;
                use_it(buf, out, k, self.n);
            }
        });
        // A wrapper also takes the values declared after the locals it borrows that may need
        // dropping (`k`'s type is not written, so it may), to drop them in native order when
        // cancelled; `out` is a reference.
        assert_eq!(
            s,
            [
                "__self out wrap[buf,k]",
                "out wrap[__self,buf,k]",
                "__self wrap[out,buf,k]"
            ]
        );
    }

    #[test]
    fn uses_in_other_branches_do_not_keep_a_local() {
        // `x` is moved in the `else` branch only: kept across the await of the `then` branch
        // (it is dropped at the end of its scope there), and across `h().await` as an
        // `Option` (`None` from `else`: rustc's drop flag); `y` is used after the `if`.
        let s = saved(quote! {
            async fn f(c: bool) {
                let x = S::new(); let y = S::new();
                if c { g().await; } else { use_it(x); }
                h().await;
                y.len();
            }
        });
        assert_eq!(s, ["x y", "x y"]);
        // Same with `x` plain (`let x = 1u8`, no drop glue): not saved at the first await.
        let s = saved(quote! {
            async fn f(c: bool) {
                let x: u8 = 1; let y = S::new();
                if c { g().await; } else { use_it(x); }
                y.len();
            }
        });
        assert_eq!(s, ["y"]);
        // Inside a loop declared outside it, the next iteration may take the other branch.
        let s = saved(quote! {
            async fn f(c: bool) {
                let x: u8 = 1;
                loop { if c { g().await; } else { use_it(x); } }
            }
        });
        assert_eq!(s, ["c x"]);
    }

    #[test]
    fn range_items_have_no_drop_glue() {
        let s = saved(quote! {
            async fn f() {
                for i in 0..3 { g().await; }
                for j in v.iter() { g().await; }
            }
        });
        // Iterators are used by the next iteration; `i` (an integer) is not kept, the item of
        // an arbitrary iterator is (it might need dropping).
        assert_eq!(s, ["__iter0", "__iter1 j"]);
    }

    #[test]
    fn references_between_saved_locals_are_refused() {
        let f = crate::parse::parse(quote! {
            async fn f() { let v = vec![1]; let r = &v; g().await; r.len(); }
        })
        .unwrap();
        let (b, _, n) = crate::normalize::normalize(f.block.clone()).unwrap();
        let e = analyze(&f, &b, n).unwrap_err();
        assert!(e.to_string().contains("`r` borrows `v`"), "{e}");
        // `max` returns a reference into `v`; `collect` without `cloned` may collect them.
        for init in [quote!(v.iter().max()), quote!(v.iter().collect::<Vec<_>>())] {
            let f = crate::parse::parse(quote! {
                async fn f() { let v = vec![1]; let r = #init; g().await; r.len(); }
            })
            .unwrap();
            let (b, _, n) = crate::normalize::normalize(f.block.clone()).unwrap();
            let e = analyze(&f, &b, n).unwrap_err();
            assert!(e.to_string().contains("`r` borrows `v`"), "{e}");
        }
        // Between the lowering's hidden locals (the scrutinee's temporaries, kept through the
        // `then` block): named as temporaries of the statement, not by their hidden names.
        let f = crate::parse::parse(quote! {
            async fn f(k: u64) -> u64 {
                if let Some(x) = [k, 2].iter().next() { g().await; return *x; }
                0
            }
        })
        .unwrap();
        let (b, _, n) = crate::normalize::normalize(f.block.clone()).unwrap();
        let e = analyze(&f, &b, n).unwrap_err().to_string();
        assert!(
            e.starts_with("A temporary of this statement borrows another one")
                && e.contains("bind the statement's parts to locals of their own")
                && !e.contains("__"),
            "{e}"
        );
    }
}
