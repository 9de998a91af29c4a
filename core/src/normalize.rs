//! Phase 3b: the body into a tree of scopes where every `.await` is a statement.
//!
//! Input:  `{ let data = format!("{}-{}", name, fetch(n).await?); let len = process(data).await; Ok(len) }`
//! Output: `Block [
//!            Nested(let data = { Await(__v0 = fetch(n)); Tail(format!("{}-{}", name, __v0?)) }),
//!            Await(let len = process(data)),
//!            Tail(Ok(len)) ]`
//!
//! Awaits nested in expressions are hoisted in evaluation order: operands evaluated before an
//! await that are not stable places move into hidden locals `__eN` first, receivers that are
//! temporaries too (so `Noisy::new().len() + f().await` keeps the `Noisy` alive across the await
//! as rustc does). A statement that needs hidden locals becomes a nested block, so they drop at
//! the end of the statement, like rustc's temporaries.

use std::collections::HashSet;

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};
use syn::spanned::Spanned;
use syn::visit::{self, Visit};
use syn::visit_mut::VisitMut;
use syn::{Expr, Ident, Pat};

use crate::liveness::moves_whole;
use crate::macros;

/// A scope: the body, or a nested block created for a statement with awaits inside.
#[derive(Clone, Debug)]
pub struct Block {
    /// The statements in order. The last may be a [`Stmt::Tail`] or a `Nested` with
    /// [`Head::Tail`], giving the block's value.
    pub stmts: Vec<Stmt>,
}

/// A statement of the lowered tree.
#[derive(Clone, Debug)]
pub enum Stmt {
    /// Code without awaits, kept verbatim.
    Code(syn::Stmt),
    /// A suspension point.
    Await(Await),
    /// A statement whose value is computed by a nested block holding awaits.
    Nested {
        /// How the block's value is used.
        head: Head,
        /// The nested block.
        block: Block,
        /// The braces stand for a block of the user's (written in the user's edition, whose
        /// rules for the temporaries of its tail expression apply), not for the end of a
        /// statement (written in this crate's, 2024: the statement's temporaries, those kept in
        /// hidden locals of the block included, drop at its end in reverse order of creation).
        user: bool,
    },
    /// The block's value (no awaits inside).
    Tail(Expr),
    /// A branch or loop with awaits inside; its value is used as `head` says.
    Control {
        /// Index among all control constructs with awaits, in source order.
        id: usize,
        /// How its value is used.
        head: Head,
        /// The construct.
        ctl: Control,
    },
}

/// A branch or loop containing awaits. `while` and `for` are lowered to `loop` first
/// (`while c { b }` → `loop { if !c { break } b }`, `for p in it { b }` → a hidden iterator and
/// `loop { let p = match next(&mut it) { Some(x) => x, None => break }; b }`), and `if let` to
/// `match`, as rustc's own desugaring does.
#[derive(Clone, Debug)]
pub enum Control {
    /// `if cond { then } else { els }`.
    If {
        /// The condition (no awaits: they were hoisted before).
        cond: Expr,
        /// The then-branch.
        then: Block,
        /// The else-branch, if any.
        els: Option<Block>,
    },
    /// `match scrut { arms }`.
    Match {
        /// The scrutinee (no awaits).
        scrut: Expr,
        /// The arms.
        arms: Vec<Arm>,
    },
    /// `'label: loop { body }`.
    Loop {
        /// The label, if written.
        label: Option<syn::Lifetime>,
        /// The body.
        body: Block,
        /// `false` for a labelled block `'b: { body }`, lowered as `'b: loop { break 'b { body } }`:
        /// nothing goes back to its head (an unlabelled `break`/`continue` inside a labelled
        /// block is E0695), so its locals are not live around a back edge.
        repeats: bool,
    },
}

/// An arm of a [`Control::Match`].
#[derive(Clone, Debug)]
pub struct Arm {
    /// The pattern; its bindings are locals of the arm's scope.
    pub pat: Pat,
    /// The guard (no awaits).
    pub guard: Option<Expr>,
    /// The body.
    pub body: Block,
}

/// How a nested block's value is used.
#[derive(Clone, Debug)]
pub enum Head {
    /// `let <pat> = { .. };`
    Let(Box<Pat>),
    /// `let <pat> = { .. } else { <diverging block> };`
    LetElse(Box<Pat>, Box<Expr>),
    /// `{ .. };`
    Expr,
    /// `{ .. }` as the enclosing block's value.
    Tail,
}

/// A suspension point: `let <bind> = <awaitee>.await;`.
#[derive(Clone, Debug)]
pub struct Await {
    /// Index among all awaits, in source order: this is `Suspend<index>`.
    pub index: usize,
    /// Where the output goes.
    pub bind: Bind,
    /// The expression before `.await` (no awaits inside).
    pub awaitee: Expr,
    /// The span of the `.await`.
    pub span: Span,
}

/// Where the output of an await goes.
#[derive(Clone, Debug)]
pub enum Bind {
    /// `let <pat> = x.await;`
    Pat(Box<Pat>),
    /// `x.await;`: dropped at once.
    Discard,
    /// A hidden local `__vN` used by the rest of the statement.
    Hidden(Ident),
}

/// The first `.await` in `e` that belongs to the fn itself (not to a closure or async block).
pub fn first_await(e: &Expr) -> Option<Span> {
    struct Find(Option<Span>);
    impl<'a> Visit<'a> for Find {
        fn visit_expr(&mut self, e: &'a Expr) {
            if self.0.is_some() {
                return;
            }
            match e {
                Expr::Await(a) => {
                    visit::visit_expr(self, &a.base);
                    if self.0.is_none() {
                        self.0 = Some(a.await_token.span);
                    }
                }
                Expr::Closure(_) | Expr::Async(_) | Expr::Const(_) => {}
                Expr::Macro(m) => self.visit_macro(&m.mac),
                _ => visit::visit_expr(self, e),
            }
        }
        fn visit_item(&mut self, _: &'a syn::Item) {}
        fn visit_macro(&mut self, m: &'a syn::Macro) {
            if self.0.is_some() {
                return;
            }
            if macros::is_awaiting(m) {
                // `join!`, `select!`: their expansion awaits.
                self.0 = Some(macros::name_span(m).unwrap_or_else(Span::call_site));
                return;
            }
            match macros::parse_known(m) {
                Some(Ok(args)) => {
                    for e in args.exprs() {
                        self.visit_expr(e);
                    }
                }
                _ => self.0 = macros::tokens_await(&m.tokens),
            }
        }
    }
    let mut f = Find(None);
    f.visit_expr(e);
    f.0
}

/// The value a `let` (not `let .. else`) or expression statement computes.
pub(crate) fn stmt_value(s: &syn::Stmt) -> Option<&Expr> {
    match s {
        syn::Stmt::Local(l) => l
            .init
            .as_ref()
            .filter(|i| i.diverge.is_none())
            .map(|i| &*i.expr),
        syn::Stmt::Expr(e, _) => Some(e),
        _ => None,
    }
}

fn stmt_await(s: &syn::Stmt) -> Option<Span> {
    match s {
        syn::Stmt::Local(l) => {
            let init = l.init.as_ref()?;
            first_await(&init.expr)
                .or_else(|| init.diverge.as_ref().and_then(|d| first_await(&d.1)))
        }
        syn::Stmt::Expr(e, _) => first_await(e),
        syn::Stmt::Macro(m) => first_await(&Expr::Macro(syn::ExprMacro {
            attrs: vec![],
            mac: m.mac.clone(),
        })),
        syn::Stmt::Item(_) => None,
    }
}

/// Lowers the (rewritten) body. Item statements are returned separately: they are placed
/// before the generated machine, where every state can see them.
pub fn normalize(body: syn::Block) -> syn::Result<(Block, Vec<syn::Stmt>, usize)> {
    normalize_with(body, quote!(::awaitgraph::__private), &HashSet::new())
}

/// [`normalize`], with the path of the runtime's private module (the `crate` option), and the
/// `branching` statements without awaits to lower as [`Stmt::Control`] all the same (by their
/// tokens, see `branching_key`): they move a local on some of their paths only, which the
/// lowering then tracks with a drop flag of its own (see `Analysis::force`).
pub fn normalize_with(
    body: syn::Block,
    private: TokenStream,
    force: &HashSet<String>,
) -> syn::Result<(Block, Vec<syn::Stmt>, usize)> {
    let mut n = Normalizer {
        awaits: 0,
        controls: 0,
        temps: 0,
        items: Vec::new(),
        errors: None,
        private,
        loop_labels: Vec::new(),
        force,
        forced: false,
    };
    let block = n.block(body.stmts);
    match n.errors {
        Some(e) => Err(e),
        None => Ok((block, n.items, n.awaits)),
    }
}

struct Normalizer<'f> {
    awaits: usize,
    controls: usize,
    temps: usize,
    items: Vec<syn::Stmt>,
    errors: Option<syn::Error>,
    /// The runtime's private module, for the `Drop` probes of `match` arms.
    private: TokenStream,
    /// The loops with awaits being lowered, innermost last: the label written, and the hidden
    /// label given to an unlabelled one when a `break`/`continue` inside a let-chain's labelled
    /// block must name it.
    loop_labels: Vec<(Option<syn::Lifetime>, Option<syn::Lifetime>)>,
    /// The statements to lower as [`Stmt::Control`] without awaits (see [`normalize_with`]).
    force: &'f HashSet<String>,
    /// The statement being lowered is one of them.
    forced: bool,
}

fn unsupported(span: Span, what: &str) -> syn::Error {
    syn::Error::new(
        span,
        format!(
            "#[state_machine] does not lower an `.await` inside {what}; move the awaiting part into a separate `async fn` without the attribute and await that, or await before it: `let v = fut.await;`"
        ),
    )
}

impl Normalizer<'_> {
    fn error(&mut self, e: syn::Error) {
        match &mut self.errors {
            Some(all) => all.combine(e),
            None => self.errors = Some(e),
        }
    }

    /// A hidden local, hygienic (mixed-site) but located at `at`, the expression whose value
    /// it holds: its line is what `cargo awaitgraph compare` matches rustc's temporaries by.
    fn hidden(&mut self, prefix: &str, at: Span) -> Ident {
        let i = Ident::new(
            &format!("__{prefix}{}", self.temps),
            Span::mixed_site().located_at(at),
        );
        self.temps += 1;
        i
    }

    /// A hidden label (`'__lcN`, `'__loopN`), mixed-site like [`Normalizer::hidden`].
    fn hidden_label(&mut self, prefix: &str, at: Span) -> syn::Lifetime {
        let l = syn::Lifetime::new(
            &format!("'__{prefix}{}", self.temps),
            Span::mixed_site().located_at(at),
        );
        self.temps += 1;
        l
    }

    fn block(&mut self, stmts: Vec<syn::Stmt>) -> Block {
        // Before 2024, a labelled block with awaits as the tail of a block with locals: its own
        // tail's temporaries drop after those locals natively, but its value leaves it by a
        // jump in the lowered code, which drops them first.
        if !edition_2024()
            && let Some((syn::Stmt::Expr(tail @ Expr::Block(b), None), before)) = stmts.split_last()
            && b.label.is_some()
            && first_await(tail).is_some()
            && before.iter().any(declares_local)
            && let Some((at, _)) = tail_temporary(tail)
        {
            self.error(syn::Error::new(
                at,
                "#[state_machine] cannot lower this labelled block with awaits as the tail of a block with locals as editions before 2024 run it: the temporaries of its tail drop after the enclosing block's locals there, and before them in the lowered code. Bind the tail to a local first: `let v = ..; v` (the same order in every edition), or use edition 2024",
            ));
        }
        let count = stmts.len();
        let mut out = Vec::new();
        for (i, stmt) in stmts.into_iter().enumerate() {
            let last = i + 1 == count;
            // A forced `branching` statement, or one with a forced operand (`has_forced`).
            self.forced = !self.force.is_empty()
                && (branching(&stmt).is_some_and(|e| self.force.contains(&branching_key(e)))
                    || stmt_value(&stmt).is_some_and(|e| self.has_forced(e)));
            match stmt {
                syn::Stmt::Item(_) => self.items.push(stmt),
                syn::Stmt::Macro(ref m) if m.mac.path.is_ident("macro_rules") => {
                    self.items.push(stmt)
                }
                _ if stmt_await(&stmt).is_none() && !self.forced => {
                    if let (true, syn::Stmt::Expr(e, None)) = (last, &stmt) {
                        out.push(Stmt::Tail(e.clone()));
                    } else {
                        out.push(Stmt::Code(stmt));
                    }
                }
                syn::Stmt::Local(local) => {
                    let Some(init) = local.init else {
                        out.push(Stmt::Code(syn::Stmt::Local(local)));
                        continue;
                    };
                    if let Some((_, diverge)) = init.diverge {
                        if first_await(&diverge).is_some() {
                            let (test, bind) = self.let_else_awaiting(
                                local.attrs,
                                local.pat,
                                *init.expr,
                                *diverge,
                            );
                            let rest = self.block(vec![test, bind]);
                            out.extend(rest.stmts);
                            continue;
                        }
                        let head = Head::LetElse(Box::new(local.pat), diverge);
                        let mut inner = Vec::new();
                        let value = self.hoist(*init.expr, &mut inner);
                        statement_block(head, inner, value, &mut out);
                        continue;
                    }
                    self.statement(*init.expr, Head::Let(Box::new(local.pat)), &mut out);
                }
                syn::Stmt::Expr(e, semi) => {
                    let head = if semi.is_none() && last {
                        Head::Tail
                    } else {
                        Head::Expr
                    };
                    self.statement(e, head, &mut out);
                }
                syn::Stmt::Macro(m) => {
                    let e = Expr::Macro(syn::ExprMacro {
                        attrs: m.attrs,
                        mac: m.mac,
                    });
                    self.statement(e, Head::Expr, &mut out);
                }
            }
        }
        if !edition_2024() {
            self.tail_temporaries_outlive_locals(&mut out);
        }
        Block { stmts: out }
    }

    /// A statement `<head> <e>` where `e` contains awaits (or a forced [`branching`] one).
    fn statement(&mut self, e: Expr, head: Head, out: &mut Vec<Stmt>) {
        // (Forced, see `branching`: its value without parentheses, as liveness named it.)
        let forced = std::mem::take(&mut self.forced);
        let e = match e {
            Expr::Paren(p) if forced => unparen(&p.expr).clone(),
            e => e,
        };
        if forced && !matches!(e, Expr::Block(ref b) if b.label.is_none()) && is_branching(&e) {
            // A `branching` statement without awaits: an `if`, an `if let`, a `match`, a loop
            // or a labelled block. (A plain block is lowered as the nested block below, its
            // statements visible to liveness.)
            self.control_with(e, head, out, false, true);
            return;
        }
        if is_control_with_awaits(&e) {
            self.control(e, head, out, false);
            return;
        }
        // `let p = x.await;`, `x.await;` and a tail `x.await` stay flat.
        if let Expr::Await(a) = &e
            && first_await(&a.base).is_none()
            && !matches!(head, Head::LetElse(..))
            && !has_body_break(&a.base)
            && !has_escaping_jump(&a.base)
            && !has_temporaries(&a.base)
            && !self.has_forced(&a.base)
        {
            let index = self.next_await();
            let bind = match head {
                Head::Let(p) => Bind::Pat(p),
                Head::Expr => Bind::Discard,
                Head::Tail | Head::LetElse(..) => Bind::Hidden(self.hidden("v", a.base.span())),
            };
            let tail = match &bind {
                Bind::Hidden(v) => Some(Stmt::Tail(syn::parse_quote!(#v))),
                _ => None,
            };
            out.push(Stmt::Await(Await {
                index,
                bind,
                awaitee: (*a.base).clone(),
                span: a.await_token.span,
            }));
            out.extend(tail);
            return;
        }
        // A block that is the statement's whole value (`let x = { .. };`, `{ .. };`, a block as a
        // tail): its own braces, in the user's edition, with the statement's head.
        let e = match e {
            Expr::Block(b)
                if b.label.is_none()
                    && b.attrs.is_empty()
                    && !matches!(head, Head::LetElse(..)) =>
            {
                let block = self.block(b.block.stmts);
                out.push(Stmt::Nested {
                    head,
                    block,
                    user: true,
                });
                return;
            }
            e => e,
        };
        let mut inner = Vec::new();
        let value = match e {
            // A `format!`-like macro that is the whole statement: its arguments' temporaries end
            // with it, which is also the end of the statement; no scope of its own needed.
            Expr::Macro(mut m) if is_block_macro(&m.mac) => match macros::parse_known(&m.mac) {
                Some(Ok(mut args)) => {
                    self.operands(args.exprs_mut(), &mut inner);
                    m.mac.tokens = args.to_tokens();
                    Expr::Macro(m)
                }
                _ => self.hoist(Expr::Macro(m), &mut inner),
            },
            e => self.hoist(e, &mut inner),
        };
        // What is left once the awaits are hoisted may be a forced `branching` one.
        if !matches!(head, Head::LetElse(..))
            && !matches_inside(&head)
            && !self.force.is_empty()
            && is_branching(&value)
            && self.force.contains(&branching_key(&value))
        {
            self.forced = true;
            self.statement(value, Head::Tail, &mut inner);
            out.push(Stmt::Nested {
                head,
                block: Block { stmts: inner },
                user: false,
            });
            return;
        }
        statement_block(head, inner, value, out);
    }

    /// A branch or loop with awaits inside: lowered to a [`Stmt::Control`].
    /// `in_expression`: the construct is part of a larger expression (its value goes to a
    /// hidden local), not a statement of its own.
    fn control(&mut self, e: Expr, head: Head, out: &mut Vec<Stmt>, in_expression: bool) {
        self.control_with(e, head, out, in_expression, false)
    }

    /// [`Normalizer::control`]; `forced`: a [`branching`] construct without awaits (see
    /// [`normalize_with`]).
    fn control_with(
        &mut self,
        e: Expr,
        head: Head,
        out: &mut Vec<Stmt>,
        in_expression: bool,
        forced: bool,
    ) {
        match e {
            Expr::If(i) => {
                if let Expr::Let(l) = &*i.cond {
                    let (scrut, then) = (&l.expr, &i.then_branch);
                    let m: Expr = match &i.else_branch {
                        // When the `then` block awaits, the value it gives is built in the
                        // code resuming there, not where the `match` starts; carried in an
                        // `Option`, rustc could not infer its type there. So that shape keeps
                        // the `match`, which is exact when the scrutinee holds no temporary.
                        Some(_) if edition_2024() && !block_awaits(then) => {
                            let m = self.if_let_2024(i, out, forced);
                            if forced || is_control_with_awaits(&m) {
                                return self.control(m, head, out, in_expression);
                            }
                            return self.statement(m, head, out);
                        }
                        // Its temporaries live through `then` and drop before `else`: written
                        // as a let chain of one operand, `'__lcN: { if let P = e { break '__lcN
                        // then; } els }`, the `if let` ends (dropping them) before `els` runs.
                        Some(_) if edition_2024() && has_temporaries(scrut) => {
                            let block = self.let_chain(i);
                            return self.control(block, head, out, in_expression);
                        }
                        _ => self.if_let_as_match(&i, l),
                    };
                    return self.control(m, head, out, in_expression);
                }
                if has_let(&i.cond) {
                    if !edition_2024() {
                        self.error(syn::Error::new(
                            i.cond.span(),
                            "let chains (`if let .. && ..`) need edition 2024; before it, nest them: `if let P = e { if cond { .. } }`",
                        ));
                        return;
                    }
                    let block = self.let_chain(i);
                    return self.control(block, head, out, in_expression);
                }
                let mut pre = Vec::new();
                let cond = self.condition(*i.cond, &mut pre);
                let then = self.body_block(i.then_branch.stmts, 0);
                let els = i.else_branch.map(|(_, e)| self.branch(*e));
                let ctl = Control::If { cond, then, els };
                self.emit_control(ctl, head, pre, out, in_expression);
            }
            Expr::Match(m) => {
                let mut pre = Vec::new();
                let mut scrut = self.hoist(*m.expr, &mut pre);
                // Temporaries of the scrutinee live to the end of the `match`, across the awaits
                // in its arms: keep receivers that are temporaries in hidden locals.
                self.keep_temporaries(&mut scrut, &mut pre);
                // So does the scrutinee's value when it is not a place: an arm that awaits and
                // leaves it, or parts of it, in place (`Err(_)`, `_`, `Some((a, _))`) keeps it
                // in a hidden local across those awaits (rustc drops it at the end of the
                // `match`). Arms that take all of it do not need it.
                let leaves_value = m
                    .arms
                    .iter()
                    .any(|a| first_await(&a.body).is_some() && !consumes(&a.pat));
                let destructures = m
                    .arms
                    .iter()
                    .any(|a| moves_whole(&a.pat) && destructures_user_type(&a.pat));
                // A literal pattern (`0 =>`, `'a'..='z' =>`, `"x" =>`) means an integer, `char`,
                // `bool`, float or `&str` scrutinee: nothing to drop, nothing to keep.
                // So does a borrow of a place (`match &opt`): a reference, nothing to drop.
                let drop_free = m.arms.iter().any(|a| literal_pattern(&a.pat))
                    || matches!(&scrut, Expr::Reference(r) if is_place(&r.expr));
                let moving = m.arms.iter().any(|a| moves_whole(&a.pat));
                let keeping = m.arms.iter().any(|a| !consumes(&a.pat));
                // Inside a larger expression, what an arm leaves of the value lives to the end
                // of the statement, past the awaits that follow the `match` in it.
                if (leaves_value
                    || destructures
                    || (moving && keeping)
                    || (in_expression && keeping))
                    && !drop_free
                    && !is_place(&scrut)
                {
                    self.hoist_temporary(&mut scrut, &mut pre);
                }
                // An arm that binds every part of a local scrutinee by value makes it dead there
                // (liveness): nothing is left to drop, unless a type it destructures implements
                // `Drop`; that is refused at compile time (`DropProbe`).
                if let Expr::Path(sp) = &scrut
                    && sp.path.get_ident().is_some()
                {
                    // Unit variants count as taking all of it when every arm does (liveness):
                    // then they are probed too.
                    let all_consume = m.arms.iter().all(|a| leaves_nothing(&a.pat));
                    for a in &m.arms {
                        if (moves_whole(&a.pat) || (all_consume && unit_variant_pattern(&a.pat)))
                            && let Some(probe) = self.drop_probe(&a.pat, &scrut)
                        {
                            pre.push(Stmt::Code(probe));
                        }
                    }
                }
                // A hidden scrutinee (hoisted above, or an awaited value) that some arms move
                // out of and others leave in place (`Some(Msg::Data(b)) => .., _ => ..`): rustc
                // drops it at the end of the statement only on the paths that left it, with a
                // drop flag. Here the flag is a hidden `Option` declared without a value before
                // the `match` (so not saved across the arms' awaits, liveness's `Empty`); each
                // arm ends by moving the scrutinee into it (arms that leave it) or setting it to
                // `None` (arms that take all of it). So the scrutinee is moved on every path, and
                // the keeper holds a value on every path after the `match`, kept across the
                // awaits until the end of the statement and dropped there.
                let hidden_scrut = match &scrut {
                    Expr::Path(p) => p
                        .path
                        .get_ident()
                        .filter(|i| {
                            // A local renamed because it is shadowed is the user's.
                            let s = i.to_string();
                            s.starts_with("__") && !s.starts_with(crate::shadow::PREFIX)
                        })
                        .cloned(),
                    _ => None,
                };
                let keeper = match &hidden_scrut {
                    Some(v) if moving && keeping && !drop_free => {
                        let k = self.hidden("keep", scrut.span());
                        let ty = self.hidden("ty", scrut.span());
                        let p = &self.private;
                        pre.push(Stmt::Code(syn::parse_quote!(let mut #k;)));
                        pre.push(Stmt::Code(
                            syn::parse_quote!(let #ty = #p::keeper_type(&#v);),
                        ));
                        Some((k, ty))
                    }
                    _ => None,
                };
                let mut arms = Vec::new();
                for arm in m.arms {
                    if let Some((_, g)) = &arm.guard
                        && let Some(s) = first_await(g)
                    {
                        self.error(unsupported(s, "a `match` guard"));
                        continue;
                    }
                    let body = match (&keeper, &hidden_scrut) {
                        (Some((k, ty)), Some(v)) => {
                            let o = quote!(::core::option::Option);
                            let p = &self.private;
                            let kept = if consumes(&arm.pat) {
                                quote!(#p::empty_keeper(#ty))
                            } else {
                                quote!(#o::Some(#v))
                            };
                            let b = &arm.body;
                            let r = self.hidden("r", b.span());
                            syn::parse_quote!({
                                let #r = #b;
                                #k = #kept;
                                #r
                            })
                        }
                        _ => *arm.body,
                    };
                    arms.push(Arm {
                        pat: arm.pat,
                        guard: arm.guard.map(|(_, g)| *g),
                        body: self.branch(body),
                    });
                }
                self.emit_control(
                    Control::Match { scrut, arms },
                    head,
                    pre,
                    out,
                    in_expression,
                );
            }
            Expr::Loop(l) => self.lower_loop(l, 0, head, out, in_expression),
            Expr::While(w) => {
                let label = w.label.as_ref().map(|l| {
                    let n = &l.name;
                    quote!(#n:)
                });
                let stmts = &w.body.stmts;
                let desugared: Expr = match &*w.cond {
                    Expr::Let(l) if first_await(&l.expr).is_none() => {
                        // The scrutinee's temporaries live through the body (a `lock()` guard
                        // included): keep receivers that are temporaries in hidden locals of the
                        // body.
                        let mut scrut = (*l.expr).clone();
                        let mut pre = Vec::new();
                        self.keep_temporaries(&mut scrut, &mut pre);
                        let pre: Vec<syn::Stmt> = pre
                            .into_iter()
                            .filter_map(|s| match s {
                                Stmt::Code(c) => Some(c),
                                _ => None,
                            })
                            .collect();
                        let pat = &l.pat;
                        let keep = self.keep_while_let_value(pat, &mut scrut);
                        let scrut = let_else_init(scrut);
                        syn::parse_quote!(#label loop { #(#pre)* #keep let #pat = #scrut else { break; }; #(#stmts)* })
                    }
                    Expr::Let(l) => {
                        let (pat, mut scrut) = (&l.pat, (*l.expr).clone());
                        let keep = self.keep_while_let_value(pat, &mut scrut);
                        let scrut = let_else_init(scrut);
                        syn::parse_quote!(#label loop { #keep let #pat = #scrut else { break; }; #(#stmts)* })
                    }
                    // `while A && let P = e { body }`: `loop { if A && let P = e { body } else { break } }`.
                    cond if has_let(cond) => {
                        syn::parse_quote!(#label loop { if #cond { #(#stmts)* } else { break; } })
                    }
                    cond => syn::parse_quote!(#label loop { if !(#cond) { break; } #(#stmts)* }),
                };
                match desugared {
                    // A `while let`'s scrutinee and bindings are not locals of its body.
                    Expr::Loop(l) if matches!(&*w.cond, Expr::Let(_)) => {
                        let prefix = l.body.stmts.len().saturating_sub(w.body.stmts.len());
                        self.lower_loop(l, prefix, head, out, in_expression);
                    }
                    desugared => self.control(desugared, head, out, in_expression),
                }
            }
            Expr::ForLoop(f)
                if first_await(&f.expr).is_none()
                    && block_awaits(&f.body)
                    && self
                        .force
                        .contains(&format!("{WRAP_LOOP}{}", branching_key(&f.expr))) =>
            {
                // Its iterator borrows a local kept across the awaits of its body: the loop is
                // awaited as one future, `async { for .. }.await`, where rustc checks the
                // borrow (the awaitee's wrapper holds the local); what leaves the loop other
                // than its end (`break 'outer`, a `return`) becomes a value of the block,
                // acted on after it (as for a `select!` handler).
                let span = f.for_token.span;
                let flow = Ident::new(&format!("__LoopFlow{}", self.controls), Span::mixed_site());
                self.controls += 1;
                let private = self.private.clone();
                let mut ex = crate::rewrite::BlockExits::new(&flow, &private);
                let mut e = Expr::ForLoop(f);
                syn::visit_mut::VisitMut::visit_expr_mut(&mut ex, &mut e);
                if let Some(err) = ex.take_error() {
                    self.error(err);
                }
                let body = crate::rewrite::body_label();
                let tokens = ex.block(
                    TokenStream::new(),
                    e.to_token_stream(),
                    quote!(break #body),
                    span,
                );
                // `{ enum __LoopFlowN<..> { .. } match async { .. }.await { .. } }`: the enum
                // set apart with the body's items, the `match` lowered here.
                let Ok(Expr::Block(mut b)) = syn::parse2::<Expr>(tokens) else {
                    self.error(syn::Error::new(span, "#[state_machine] internal error: the block awaiting this `for` loop did not parse"));
                    return;
                };
                let Some(syn::Stmt::Expr(m, None)) = b.block.stmts.pop() else {
                    self.error(syn::Error::new(span, "#[state_machine] internal error: the block awaiting this `for` loop has no value"));
                    return;
                };
                self.items.extend(b.block.stmts);
                self.control_with(m, head, out, in_expression, forced);
            }
            Expr::ForLoop(f) => {
                let label = f.label.as_ref().map(|l| {
                    let n = &l.name;
                    quote!(#n:)
                });
                let (pat, expr, stmts) = (&f.pat, &f.expr, &f.body.stmts);
                let iter = self.hidden("iter", f.expr.span());
                let x = Ident::new("__x", Span::mixed_site());
                let start: syn::Stmt = syn::parse_quote!(let mut #iter = ::core::iter::IntoIterator::into_iter(#expr););
                let lp: syn::ExprLoop = syn::parse_quote!(#label loop {
                    let #pat = match ::core::iter::Iterator::next(&mut #iter) {
                        ::core::option::Option::Some(#x) => #x,
                        ::core::option::Option::None => break,
                    };
                    #(#stmts)*
                });
                let mut inner = self.block(vec![start]);
                if block_awaits(&lp.body) || forced {
                    // The pattern's `let` is not a local of the body.
                    self.lower_loop(lp, 1, Head::Tail, &mut inner.stmts, false);
                } else {
                    inner.stmts.push(Stmt::Tail(Expr::Loop(lp)));
                }
                out.push(Stmt::Nested {
                    head,
                    block: inner,
                    user: false,
                });
            }
            Expr::Block(b) if b.label.is_some() => {
                let label = b.label.map(|l| l.name);
                // `'b: { body }` runs as `'b: loop { break 'b { body }; }`: the same scopes, and no
                // `break`/`continue` without a label can be caught by the loop (inside a
                // labelled block they are E0695).
                let block = &b.block;
                if in_expression {
                    self.refuse_operand_tail_temporaries(&block.stmts);
                }
                let stmts = &block.stmts;
                let tail = match stmts.last() {
                    Some(syn::Stmt::Expr(t, None)) => Some(t),
                    _ => None,
                };
                let body = if forced && (edition_2024() || tail.and_then(tail_temporary).is_none())
                {
                    // Without awaits, moving a local on some ways out (see `branching`): its
                    // statements in the loop's body, where liveness sees them one by one
                    // (`'b: loop { ..; break 'b tail; }`: the tail's temporaries drop before
                    // the body's locals, as a block's tail does from edition 2024).
                    let mut stmts = stmts.clone();
                    match tail {
                        Some(t) => {
                            let t = t.clone();
                            stmts.pop();
                            stmts.push(syn::parse_quote!(break #label #t;));
                        }
                        None => stmts.push(syn::parse_quote!(break #label;)),
                    }
                    self.block(stmts)
                } else {
                    self.block(vec![syn::parse_quote!(break #label #block;)])
                };
                self.emit_control(
                    Control::Loop {
                        label,
                        body,
                        repeats: false,
                    },
                    head,
                    Vec::new(),
                    out,
                    in_expression,
                );
            }
            other => {
                let s = first_await(&other).unwrap_or_else(|| other.span());
                self.error(unsupported(s, "this expression"));
            }
        }
    }

    /// `if A1 && let P = e && .. { then } else { els }` (edition 2024) as
    /// `'__lcN: { if A1 { if let P = e { .. { break '__lcN then; } } } els }`: each operand is
    /// evaluated in its own `if`, in order and only when the ones before held, its bindings in
    /// scope in the operands after it and in `then`; the temporaries and unmatched values of the
    /// `let` scrutinees drop at the end of their `if`s, innermost first, after `then` or before
    /// `els` runs (edition 2024). A `break`/`continue` without a label inside it that goes to
    /// the loop around it is given that loop's label first (the labelled block would otherwise
    /// catch it).
    fn let_chain(&mut self, mut i: syn::ExprIf) -> Expr {
        self.label_escaping_jumps(&mut i);
        let mut ops = Vec::new();
        and_operands(*i.cond, &mut ops);
        let lc = self.hidden_label("lc", i.if_token.span);
        let then = &i.then_branch;
        let mut inner = quote!(break #lc #then;);
        for op in ops.iter().rev() {
            inner = quote!(if #op { #inner });
        }
        let els = i.else_branch.map(|(_, e)| quote!(#e));
        syn::parse_quote!(#lc: { #inner #els })
    }

    /// Gives the `break`/`continue` without a label in `i` that leave it (to the innermost loop
    /// with awaits around it) that loop's label, or a hidden one given to the loop.
    fn label_escaping_jumps(&mut self, i: &mut syn::ExprIf) {
        let mut find = Relabel {
            label: None,
            depth: 0,
            found: false,
        };
        find.visit_expr_if_mut(i);
        if !find.found {
            return;
        }
        if let Some((None, None)) = self.loop_labels.last() {
            let fresh = self.hidden_label("loop", Span::call_site());
            if let Some((_, hidden)) = self.loop_labels.last_mut() {
                *hidden = Some(fresh);
            }
        }
        // Not inside a loop: rustc reports the `break` (E0268).
        let Some(label) = self
            .loop_labels
            .last()
            .and_then(|(w, h)| w.clone().or(h.clone()))
        else {
            return;
        };
        Relabel {
            label: Some(label),
            depth: 0,
            found: false,
        }
        .visit_expr_if_mut(i);
    }

    /// A branch body: a block's statements, or a single expression as its value.
    fn branch(&mut self, e: Expr) -> Block {
        match e {
            Expr::Block(b) if b.label.is_none() && b.attrs.is_empty() => {
                self.body_block(b.block.stmts, 0)
            }
            e => self.block(vec![syn::Stmt::Expr(e, None)]),
        }
    }

    /// A `loop` with awaits (also a `while` or `for` loop, desugared): `skip`, the leading
    /// statements of its body that are not the body's own (a `for` or `while let` loop's
    /// pattern, see [`Normalizer::body_block`]).
    fn lower_loop(
        &mut self,
        l: syn::ExprLoop,
        skip: usize,
        head: Head,
        out: &mut Vec<Stmt>,
        in_expression: bool,
    ) {
        self.loop_labels.push((l.label.map(|l| l.name), None));
        let body = self.body_block(l.body.stmts, skip);
        let label = self
            .loop_labels
            .pop()
            .and_then(|(written, hidden)| written.or(hidden));
        self.emit_control(
            Control::Loop {
                label,
                body,
                repeats: true,
            },
            head,
            Vec::new(),
            out,
            in_expression,
        );
    }

    /// Before edition 2024 the temporaries of a block's tail expression drop after the block's
    /// locals. The lowering writes the blocks that hold the user's code with the user's edition
    /// (`rewrite::user_edition`), which keeps that order for the body and nested blocks; but a
    /// branch, arm or loop body resumed after an await passes its tail's value on by a jump
    /// (`let __v = <tail>; .. break '__jump ..`), which drops them first. Where the order can
    /// differ (the block declares locals, which drop at the jump, or the expression holding the
    /// temporaries awaits), the body's own statements go into a block of the user's whose value
    /// is bound first: `<for/while let pattern> let __r = { <body> }; __r`, so its tail's
    /// temporaries drop at the end of that `let`, after the body's locals, as rustc drops them
    /// (the temporaries a tail keeps across its awaits: `tail_temporaries_outlive_locals`).
    /// Refused when the tail is itself a branch or `match` with awaits whose condition or
    /// scrutinee holds temporaries (they are kept in hidden locals of the body, which the jumps
    /// of its arms drop before the body's locals). The body of a branch, arm or loop is lowered
    /// here; `skip`: the leading statements that are not the body's own (a `for` or `while
    /// let` loop's pattern).
    fn body_block(&mut self, mut stmts: Vec<syn::Stmt>, skip: usize) -> Block {
        if !edition_2024()
            && let Some((syn::Stmt::Expr(tail, None), before)) = stmts.split_last()
            && let Some((at, awaits)) = tail_temporary(tail)
            && stmts.iter().any(|s| stmt_await(s).is_some())
            && (awaits || before.iter().skip(skip).any(declares_local))
        {
            if is_control_with_awaits(tail) {
                self.error(syn::Error::new(
                    at,
                    "#[state_machine] cannot lower this branch or `match` with awaits as the tail of a branch or loop body as editions before 2024 run it: the temporaries of its condition or scrutinee drop after the body's locals there, and before them in the lowered code. Bind the tail to a local first: `let v = ..; v` (the same order in every edition), or use edition 2024",
                ));
            } else {
                let skip = skip.min(stmts.len());
                let body = stmts.split_off(skip);
                let r = self.hidden("r", at);
                stmts.push(syn::parse_quote!(let #r = { #(#body)* };));
                stmts.push(syn::Stmt::Expr(syn::parse_quote!(#r), None));
            }
        }
        self.block(stmts)
    }

    /// Before edition 2024, the temporaries of a block's tail expression drop after the block's
    /// locals, in reverse order of creation. When the tail awaits, the lowering keeps the parts
    /// of it evaluated before an await in hidden locals of the tail's nested block (`let mut
    /// __e0 = Noisy::new(..);`, an awaited value `__v1` the rest of the tail uses, the keeper of
    /// a `match` scrutinee that some arms leave in place), which would drop at the end of that
    /// block, before the locals. They become holders declared without a value before the
    /// block's code (`let mut __e0;`), assigned where they were (an
    /// awaited value is bound to a fresh hidden local and moved into its holder at once), and
    /// the block's code goes into a nested block whose value is bound to a hidden local:
    /// `{ let mut __e0; let __r = { <locals> .. { __e0 = ..; <tail> } }; __r }`. The nested
    /// block is written in the user's edition, so the temporaries of what remains of the tail
    /// (after its last await) drop at the end of `let __r = ..;`, after the locals; the holders
    /// drop after that: the order of the native fn.
    fn tail_temporaries_outlive_locals(&mut self, out: &mut Vec<Stmt>) {
        let Some(Stmt::Nested {
            head: Head::Tail,
            block,
            ..
        }) = out.last_mut()
        else {
            return;
        };
        let mut declared = Vec::new();
        let mut stmts = Vec::with_capacity(block.stmts.len());
        for stmt in std::mem::take(&mut block.stmts) {
            match stmt {
                Stmt::Code(syn::Stmt::Local(syn::Local {
                    pat: syn::Pat::Ident(p),
                    init: Some(init),
                    ..
                })) if init.diverge.is_none()
                    && p.subpat.is_none()
                    && is_hidden_temporary(&p.ident) =>
                {
                    let (ident, value) = (&p.ident, &init.expr);
                    declared.push(Stmt::Code(syn::parse_quote!(let mut #ident;)));
                    stmts.push(Stmt::Code(syn::parse_quote!(#ident = #value;)));
                }
                // The keeper of a `match` scrutinee that some arms leave in place (declared
                // without a value, assigned at the end of those arms).
                Stmt::Code(syn::Stmt::Local(syn::Local {
                    pat: syn::Pat::Ident(p),
                    init: None,
                    ..
                })) if p.subpat.is_none() && is_hidden_keeper(&p.ident) => {
                    let ident = &p.ident;
                    declared.push(Stmt::Code(syn::parse_quote!(let mut #ident;)));
                }
                Stmt::Await(mut a) => {
                    let holder = match &a.bind {
                        Bind::Hidden(v) => Some(v.clone()),
                        _ => None,
                    };
                    let Some(holder) = holder else {
                        stmts.push(Stmt::Await(a));
                        continue;
                    };
                    let fresh = self.hidden("v", a.span);
                    a.bind = Bind::Hidden(fresh.clone());
                    declared.push(Stmt::Code(syn::parse_quote!(let mut #holder;)));
                    stmts.push(Stmt::Await(a));
                    stmts.push(Stmt::Code(syn::parse_quote!(#holder = #fresh;)));
                }
                stmt => stmts.push(stmt),
            }
        }
        block.stmts = stmts;
        if declared.is_empty() {
            return;
        }
        let code = std::mem::take(out);
        let r = self.hidden("r", Span::call_site());
        out.extend(declared);
        out.push(Stmt::Nested {
            head: Head::Let(Box::new(syn::parse_quote!(#r))),
            block: Block { stmts: code },
            user: true,
        });
        out.push(Stmt::Tail(syn::parse_quote!(#r)));
    }

    /// Pushes a control construct, after `pre` (awaits hoisted out of its condition or
    /// scrutinee, kept in a block of their own so their temporaries end with the statement).
    fn emit_control(
        &mut self,
        ctl: Control,
        head: Head,
        pre: Vec<Stmt>,
        out: &mut Vec<Stmt>,
        in_expression: bool,
    ) {
        let id = self.controls;
        self.controls += 1;
        // In an expression (a hidden `__eN` head), the temporaries of the condition or scrutinee
        // live to the end of the enclosing statement: they go into the statement's block.
        if in_expression {
            out.extend(pre);
            out.push(Stmt::Control { id, head, ctl });
            return;
        }
        if pre.is_empty() {
            out.push(Stmt::Control { id, head, ctl });
        } else {
            let mut stmts = pre;
            stmts.push(Stmt::Control {
                id,
                head: Head::Tail,
                ctl,
            });
            out.push(Stmt::Nested {
                head,
                block: Block { stmts },
                user: false,
            });
        }
    }

    fn next_await(&mut self) -> usize {
        let i = self.awaits;
        self.awaits += 1;
        i
    }

    /// Binds `e` (no awaits) to a hidden local now, keeping receivers that are temporaries
    /// alive in hidden locals too. Returns the expression to use in its place.
    fn bind_now(&mut self, mut e: Expr, out: &mut Vec<Stmt>) -> Expr {
        if is_stable(&e) {
            return e;
        }
        self.keep_temporaries(&mut e, out);
        if matches!(unparen(&e), Expr::Path(p) if p.path.get_ident().is_some_and(is_hidden_temporary))
        {
            // A forced construct, bound by `keep_temporaries`.
            return e;
        }
        let t = self.hidden("e", e.span());
        out.push(Stmt::Code(syn::parse_quote!(let #t = #e;)));
        syn::parse_quote!(#t)
    }

    /// Whether `e` holds an `if`, a `match` or a block that liveness asked to lower with jumps (see
    /// `Analysis::force`), evaluated before what follows it in `e`, as far as
    /// [`Normalizer::keep_temporaries`] follows operands.
    fn has_forced(&self, e: &Expr) -> bool {
        if self.force.is_empty() {
            return false;
        }
        let mut found = Vec::new();
        operand_branchings(e, &mut found);
        found.iter().any(|b| self.force.contains(&branching_key(b)))
    }

    /// `make().len()` → `let __e0 = make();` and `__e0.len()`: the temporary lives as long as
    /// rustc's would (to the end of the statement), even across an await that follows. Follows
    /// operands (arguments, casts, operators, `&make()`) and keeps their evaluation order: the
    /// operands before the last one holding a temporary are evaluated into hidden locals first.
    fn keep_temporaries(&mut self, e: &mut Expr, out: &mut Vec<Stmt>) {
        match e {
            Expr::MethodCall(m) => {
                let mut ops = vec![&mut *m.receiver];
                ops.extend(m.args.iter_mut());
                self.keep_in_operands(ops, out);
                if temporary_receiver(m) && !consumes_receiver(&m.method) {
                    self.hoist_temporary(&mut m.receiver, out);
                }
            }
            Expr::Field(f) => {
                self.keep_temporaries(&mut f.base, out);
                if !is_place(&f.base) {
                    self.hoist_temporary(&mut f.base, out);
                }
            }
            Expr::Index(i) => {
                self.keep_in_operands(vec![&mut *i.expr, &mut *i.index], out);
                if !is_place(&i.expr) {
                    self.hoist_temporary(&mut i.expr, out);
                }
            }
            Expr::Reference(r) if borrows_temporary(r) => {
                self.keep_temporaries(&mut r.expr, out);
                self.hoist_temporary(&mut r.expr, out);
            }
            Expr::Call(c) => self.keep_in_operands(c.args.iter_mut().collect(), out),
            // (The value runs first, its temporaries kept like an operand's; the place after.)
            Expr::Assign(a) => self.keep_temporaries(&mut a.right, out),
            Expr::Binary(b) if !matches!(b.op, syn::BinOp::And(_) | syn::BinOp::Or(_)) => {
                self.keep_in_operands(vec![&mut *b.left, &mut *b.right], out)
            }
            // `({ if c { drop(n); break } 1 }) > 0 || d`: the left operand of `&&`/`||`, a
            // temporary scope of its own, holds a forced operand: it becomes a block of its own
            // first (see `condition`).
            Expr::Binary(b) if self.has_forced(&b.left) => {
                let left = std::mem::replace(&mut *b.left, Expr::Verbatim(TokenStream::new()));
                *b.left = self.condition(left, out);
            }
            Expr::Tuple(t) => self.keep_in_operands(t.elems.iter_mut().collect(), out),
            Expr::Array(a) => self.keep_in_operands(a.elems.iter_mut().collect(), out),
            Expr::Paren(p) => self.keep_temporaries(&mut p.expr, out),
            Expr::Group(g) => self.keep_temporaries(&mut g.expr, out),
            Expr::Cast(c) => self.keep_temporaries(&mut c.expr, out),
            // `*m.lock().unwrap()`: the guard under the `*` is a temporary of the statement.
            // Not a value that likely borrows (`*v.first().unwrap()`, `*map.get(&k)?`): kept,
            // it would be a reference into a saved local, and it has no destructor.
            Expr::Unary(u) if deref_of_temporary(u) => {
                self.keep_temporaries(&mut u.expr, out);
                self.hoist_temporary(&mut u.expr, out);
            }
            Expr::Unary(u) => self.keep_temporaries(&mut u.expr, out),
            Expr::Match(m) => self.keep_match_scrutinee(m, out),
            Expr::If(i) => {
                if let Some(mut m) = if_let_as_match(i) {
                    self.keep_match_scrutinee(&mut m, out);
                    *e = Expr::Match(m);
                }
            }
            _ => {}
        }
        if matches!(e, Expr::Match(_) | Expr::If(_) | Expr::Block(_)) && self.has_forced(e) {
            // An `if`/`match`/block moving a local on some paths (`Analysis::force`): a
            // statement of its own, `let __eN = ..;`, lowered with jumps (a plain block: its
            // statements seen one by one); its scrutinee's temporaries, kept above, live to the
            // end of the enclosing statement.
            let taken = std::mem::replace(e, Expr::Verbatim(TokenStream::new()));
            *e = match taken {
                Expr::Block(b) if b.label.is_none() => {
                    let at = b.block.brace_token.span.join();
                    self.hoist_block(b.block.stmts, at, true, out)
                }
                taken => {
                    let t = self.hidden("e", taken.span());
                    let head = Head::Let(Box::new(syn::parse_quote!(#t)));
                    self.control_with(taken, head, out, true, true);
                    syn::parse_quote!(#t)
                }
            };
        }
    }

    /// A `match` (no awaits inside) in an operand evaluated before a later await of the same
    /// statement: its scrutinee's value is a temporary of the whole statement (rustc drops
    /// what the arm left of it after that await). Keeps the scrutinee's own temporaries, and
    /// its value when an arm may leave something of it to drop: in a hidden `Option` when
    /// other arms take all of it (`keep_in_option`), else in a hidden `__scrutN`
    /// (`let mut __scrutN = <scrutinee>;` then `match __scrutN { .. }`). When every arm takes
    /// all of it, nothing is kept; the `DropProbe`s of arms destructuring a user type need a
    /// place to borrow: `match <scrutinee> { __wholeN => { <probes>; match __wholeN { .. } } }`.
    fn keep_match_scrutinee(&mut self, m: &mut syn::ExprMatch, out: &mut Vec<Stmt>) {
        self.keep_temporaries(&mut m.expr, out);
        if !scrutinee_may_hold_drop(&m.expr, m.arms.iter().map(|a| &a.pat)) {
            return;
        }
        let keeping = m.arms.iter().any(|a| !consumes(&a.pat));
        let destructures = m
            .arms
            .iter()
            .any(|a| moves_whole(&a.pat) && destructures_user_type(&a.pat));
        if !keeping {
            // Every arm takes all of it (`Some((k, g))`, `None`, `Ok(k)`): nothing is left.
            if destructures {
                let w = self.hidden("whole", m.expr.span());
                let place: Expr = syn::parse_quote!(#w);
                let probes: Vec<syn::Stmt> = m
                    .arms
                    .iter()
                    .filter(|a| moves_whole(&a.pat))
                    .filter_map(|a| self.drop_probe(&a.pat, &place))
                    .collect();
                let scrut = std::mem::replace(&mut *m.expr, place);
                let inner = &*m;
                *m = syn::parse_quote!(match #scrut { #w => { #(#probes)* #inner } });
            }
            return;
        }
        let moving = m.arms.iter().any(|a| moves_whole(&a.pat));
        if moving {
            self.keep_in_option(&mut m.expr, &mut m.arms, out);
        } else {
            let s = self.hidden("scrut", m.expr.span());
            let value = &m.expr;
            out.push(Stmt::Code(syn::parse_quote!(let mut #s = #value;)));
            *m.expr = syn::parse_quote!(#s);
        }
        // After the value is in a local: the probe only borrows it.
        for a in &m.arms {
            if moves_whole(&a.pat)
                && let Some(probe) = self.drop_probe(&a.pat, &m.expr)
            {
                out.push(Stmt::Code(probe));
            }
        }
    }

    /// A scrutinee value that some arms move all of out of (`Ok(k)`, `Some(Msg::Data(b))`)
    /// and others leave in place (`Err(_)`, `_`): rustc drops it at the end of the statement
    /// only on the paths that left it, with a drop flag. Here it is the flag: the value goes
    /// into a hidden `Option` (`let mut __keepN = Some(<scrutinee>);`), the `match` is on it
    /// with each pattern inside `Some(..)` (the same bindings, by the same modes), and the arms
    /// that take all of it set it to `None` first. So the local is whole on every path, kept
    /// across the awaits that follow and dropped at the end of the statement: the value, or
    /// `None`.
    fn keep_in_option(&mut self, scrut: &mut Expr, arms: &mut Vec<syn::Arm>, out: &mut Vec<Stmt>) {
        let o = quote!(::core::option::Option);
        let k = self.hidden("keep", scrut.span());
        let value = &*scrut;
        out.push(Stmt::Code(
            syn::parse_quote!(let mut #k = #o::Some(#value);),
        ));
        *scrut = syn::parse_quote!(#k);
        for a in arms.iter_mut() {
            if moves_whole(&a.pat) {
                // `{ k }` spliced, not nested: a block as a block's value trips `unused_braces`.
                let body = match &*a.body {
                    Expr::Block(b) if b.label.is_none() && b.attrs.is_empty() => {
                        let stmts = &b.block.stmts;
                        quote!(#(#stmts)*)
                    }
                    b => b.to_token_stream(),
                };
                *a.body = syn::parse_quote!({ #k = #o::None; #body });
            }
            let p = &a.pat;
            a.pat = syn::parse_quote!(#o::Some(#p));
        }
        arms.push(syn::parse_quote!(#o::None => ::core::unreachable!(),));
    }

    /// The scrutinee of a `while let` is a temporary of the `match` it runs as (`loop { match e
    /// { P => body, _ => break } }`): what `P` leaves of its value (`_`, `..`, a `ref`
    /// binding) lives through the body, across its awaits, and drops at the end of each
    /// iteration. A `let .. else` would drop it at once: when the scrutinee is a value that may
    /// hold something to drop and `P` does not take all of it, it goes into a hidden local of
    /// the iteration first (`let mut __scrutN = e;`, returned), and `scrut` becomes that local.
    fn keep_while_let_value(&mut self, pat: &Pat, scrut: &mut Expr) -> Option<syn::Stmt> {
        if consumes(pat) || !scrutinee_may_hold_drop(scrut, std::iter::once(pat)) {
            return None;
        }
        let s = self.hidden("scrut", scrut.span());
        let value = std::mem::replace(scrut, syn::parse_quote!(#s));
        Some(syn::parse_quote!(let mut #s = #value;))
    }

    /// `let P = e else { D };` whose `D` awaits, as rustc runs it: the value of `e` and its
    /// temporaries drop at the end of the statement, before `D` runs when `P` does not match
    /// (checked with a plain program in both editions). Returns
    /// `let __leN = match e { P => Some((a, b, ..)), _ => None };` and
    /// `let (a, mut b, ..) = match identity(__leN) { Some(__b) => __b, None => D };`
    /// (`identity` moves the local: `D`'s awaits do not keep the empty `Option`).
    fn let_else_awaiting(
        &mut self,
        attrs: Vec<syn::Attribute>,
        pat: Pat,
        init: Expr,
        diverge: Expr,
    ) -> (syn::Stmt, syn::Stmt) {
        let o = quote!(::core::option::Option);
        let (pat, init) = untyped(&pat, init);
        let pat = pat.clone();
        let mut idents = Vec::new();
        crate::liveness::pat_idents(&pat, &mut idents);
        let names: Vec<&Ident> = idents.iter().map(|(i, _, _)| i).collect();
        // A `ref` binding stays one (`&ref x` on the reference), so the liveness still knows
        // it holds a borrow (nothing to drop; refused if kept across an await).
        let outer = idents.iter().map(|(i, m, r)| match (m, r) {
            (false, false) => quote!(#i),
            (true, false) => quote!(mut #i),
            (false, true) => quote!(&ref #i),
            (true, true) => quote!(&mut ref mut #i),
        });
        let t = self.hidden("le", init.span());
        let b = Ident::new("__b", Span::mixed_site());
        let test: syn::Stmt = syn::parse_quote! {
            let #t = match #init { #pat => #o::Some((#(#names,)*)), _ => #o::None };
        };
        let bind: syn::Stmt = syn::parse_quote! {
            #(#attrs)*
            let (#(#outer,)*) = match ::core::convert::identity(#t) { #o::Some(#b) => #b, #o::None => #diverge };
        };
        (test, bind)
    }

    /// `keep_temporaries` over operands evaluated in order.
    fn keep_in_operands(&mut self, ops: Vec<&mut Expr>, out: &mut Vec<Stmt>) {
        // A forced `branching` operand (`(match k { .. }) % 3`) gets a statement of its own
        // (`bind_now`), so the operands before it are evaluated first too.
        let last = ops
            .iter()
            .rposition(|e| has_temporaries(e) || self.has_forced(e));
        let Some(last) = last else {
            return;
        };
        for (i, op) in ops.into_iter().enumerate() {
            if i < last {
                let taken = std::mem::replace(op, Expr::Verbatim(TokenStream::new()));
                *op = self.bind_now(taken, out);
            } else if i == last {
                self.keep_temporaries(op, out);
            }
        }
    }

    /// `if let P = e { then } [else { els }]` as the `match` it means.
    fn if_let_as_match(&mut self, i: &syn::ExprIf, l: &syn::ExprLet) -> Expr {
        let (pat, scrut, then) = (&l.pat, &l.expr, &i.then_branch);
        match &i.else_branch {
            // Edition 2024 drops the scrutinee's value (when it is not a place) before the
            // `else` block: the `else` arm binds it and drops it first.
            Some((_, e)) if edition_2024() && !is_place(scrut) => {
                let rest = self.hidden("rest", scrut.span());
                syn::parse_quote! {
                    match #scrut {
                        #pat => #then,
                        #[allow(unreachable_patterns)]
                        #rest => {
                            ::core::mem::drop(#rest);
                            #e
                        }
                    }
                }
            }
            _ => Expr::Match(if_let_match(i, l)),
        }
    }

    /// `if let P = e { a } else { b }` as edition 2024 runs it: the scrutinee's temporaries live
    /// through `a` but drop before `b`. So `b` comes after the `match` on `e`, whose statement
    /// ends them: pushes `let v = match e { P => Some(a), _ => None };` to `out` and returns
    /// `match v { Some(v) => v, None => b }`. (Before 2024 they lived to the end of the
    /// `if let`, as in a `match`.) `force`: the statement is a forced [`branching`] one (its
    /// `then` has no awaits), so is the `match` taking the `then` part.
    fn if_let_2024(&mut self, i: syn::ExprIf, out: &mut Vec<Stmt>, force: bool) -> Expr {
        let (Expr::Let(l), Some((_, els))) = (&*i.cond, &i.else_branch) else {
            return Expr::If(i);
        };
        let (pat, scrut, then) = (&l.pat, &l.expr, &i.then_branch);
        let o = quote!(::core::option::Option);
        let v = self.hidden("e", i.if_token.span);
        let first: Expr =
            syn::parse_quote!(match #scrut { #pat => #o::Some(#then), _ => #o::None });
        let bind = Head::Let(Box::new(syn::parse_quote!(#v)));
        if first_await(&first).is_some() || force {
            self.forced = force;
            self.statement(first, bind, out);
        } else {
            out.push(Stmt::Code(syn::parse_quote!(let #v = #first;)));
        }
        // `identity` moves the value: the `else` block does not keep `v` (the liveness would
        // save it across the awaits there, not knowing that `None` has nothing to drop).
        syn::parse_quote!(match ::core::convert::identity(#v) { #o::Some(#v) => #v, #o::None => #els })
    }

    /// Hoists the awaits of an `if` condition (also a `while`'s, desugared to an `if`) into a
    /// block of its own, whose value becomes a hidden local: a condition is a temporary scope,
    /// its temporaries (`Noisy::new().len() + f().await`) drop before the branch runs. Also for
    /// the left operand of `&&`/`||`, a temporary scope too.
    fn condition(&mut self, cond: Expr, out: &mut Vec<Stmt>) -> Expr {
        // (With a forced operand, `has_forced`: that operand becomes a statement of the block.)
        if first_await(&cond).is_none() && !self.has_forced(&cond) {
            return cond;
        }
        let span = cond.span();
        let mut inner = Vec::new();
        let cond = self.hoist(cond, &mut inner);
        let t = self.hidden("e", span);
        inner.push(Stmt::Tail(cond));
        out.push(Stmt::Nested {
            head: Head::Let(Box::new(syn::parse_quote!(#t))),
            block: Block { stmts: inner },
            user: false,
        });
        syn::parse_quote!(#t)
    }

    /// The place of an assignment (`what`) that awaits, `conn().await?.pending -= 1`: its
    /// awaits hoisted when the value is a literal (the value runs first, for `=` and for
    /// primitives: with a literal, the order does not matter), refused otherwise.
    fn awaiting_place(&mut self, place: &mut Expr, value: &Expr, what: &str, out: &mut Vec<Stmt>) {
        if matches!(unparen(value), Expr::Lit(_)) {
            let taken = std::mem::replace(place, Expr::Verbatim(TokenStream::new()));
            *place = self.hoist(taken, out);
        } else if let Some(s) = first_await(place) {
            self.error(unsupported(s, &format!("the place of {what}")));
        }
    }

    /// The compile-time check that no type destructured by `pat` (an arm binding every part
    /// by value) implements `Drop`: `if false { match &scrut { <pat with each user type's
    /// pattern bound by reference, `__probeN @ Path(..)`> => {
    /// assert_no_drop_impl((&DropProbe(__probeN)).check()); .. } _ => {} } }`. `None` when it
    /// destructures only `Option`, `Result`, tuples and arrays.
    fn drop_probe(&mut self, pat: &Pat, scrut: &Expr) -> Option<syn::Stmt> {
        let mut probes = Vec::new();
        let probe_pat = self.probe_pat(pat, &mut probes);
        if probes.is_empty() {
            return None;
        }
        let p = &self.private;
        let checks = probes.iter().map(|(id, span)| {
            quote::quote_spanned! {*span=>
                #p::assert_no_drop_impl((&#p::DropProbe(#id)).check());
            }
        });
        Some(syn::parse_quote! {
            if false {
                #[allow(unused_imports)]
                use #p::{HasDropImpl as _, NoDropImpl as _};
                match &#scrut {
                    #probe_pat => { #(#checks)* }
                    #[allow(unreachable_patterns)]
                    _ => {}
                }
            }
        })
    }

    fn probe_pat(&mut self, pat: &Pat, probes: &mut Vec<(Ident, Span)>) -> TokenStream {
        match pat {
            Pat::Ident(_) => quote!(_),
            Pat::Type(t) => self.probe_pat(&t.pat, probes),
            Pat::Paren(p) => self.probe_pat(&p.pat, probes),
            Pat::Tuple(t) => {
                let e: Vec<_> = t.elems.iter().map(|e| self.probe_pat(e, probes)).collect();
                quote!((#(#e,)*))
            }
            Pat::Slice(s) => {
                let e: Vec<_> = s.elems.iter().map(|e| self.probe_pat(e, probes)).collect();
                quote!([#(#e),*])
            }
            Pat::TupleStruct(t) => {
                let path = &t.path;
                let e: Vec<_> = t.elems.iter().map(|e| self.probe_pat(e, probes)).collect();
                let inner = quote!(#path(#(#e),*));
                if prelude_variant(path).is_some() {
                    inner
                } else {
                    let id = self.hidden("probe", pat.span());
                    probes.push((id.clone(), pat.span()));
                    quote!(#id @ #inner)
                }
            }
            Pat::Struct(st) => {
                let path = &st.path;
                let fields: Vec<_> = st
                    .fields
                    .iter()
                    .map(|f| {
                        let m = &f.member;
                        let v = self.probe_pat(&f.pat, probes);
                        quote!(#m: #v)
                    })
                    .collect();
                let id = self.hidden("probe", pat.span());
                probes.push((id.clone(), pat.span()));
                quote!(#id @ #path { #(#fields),* })
            }
            Pat::Path(path)
                if unit_variant_pattern(pat) && prelude_variant(&path.path).is_none() =>
            {
                let id = self.hidden("probe", pat.span());
                probes.push((id.clone(), pat.span()));
                quote!(#id @ #path)
            }
            other => other.to_token_stream(),
        }
    }

    /// `let mut __eN = <e>;` and `e` becomes `__eN`.
    fn hoist_temporary(&mut self, e: &mut Expr, out: &mut Vec<Stmt>) {
        let t = self.hidden("e", e.span());
        let b = &*e;
        out.push(Stmt::Code(syn::parse_quote!(let mut #t = #b;)));
        *e = syn::parse_quote!(#t);
    }

    /// Hoists the operands of an expression in evaluation order.
    fn operands(&mut self, ops: Vec<&mut Expr>, out: &mut Vec<Stmt>) {
        let last = ops.iter().rposition(|e| first_await(e).is_some());
        let Some(last) = last else { return };
        // A local read as an operand is read before the later operands run: when one of those
        // may change it (`x + { x += 1; f().await }`), the value is copied first (it is `Copy`,
        // or rustc rejects the native fn: the operand moved it).
        let mut changed_after: Vec<HashSet<String>> = vec![HashSet::new(); ops.len()];
        for i in (0..ops.len().saturating_sub(1)).rev() {
            let mut set = changed_after[i + 1].clone();
            set.extend(mutated_locals(ops[i + 1]));
            changed_after[i] = set;
        }
        for (i, op) in ops.into_iter().enumerate() {
            if i > last {
                break;
            }
            let taken = std::mem::replace(op, Expr::Verbatim(TokenStream::new()));
            let mut v = if first_await(&taken).is_some() {
                self.hoist(taken, out)
            } else {
                taken
            };
            if i < last {
                let read_then_changed = matches!(&v, Expr::Path(p)
                    if p.path.get_ident().is_some_and(|id| changed_after[i].contains(&id.to_string())));
                v = if read_then_changed {
                    let t = self.hidden("e", v.span());
                    out.push(Stmt::Code(syn::parse_quote!(let #t = #v;)));
                    syn::parse_quote!(#t)
                } else {
                    self.bind_now(v, out)
                };
            }
            *op = v;
        }
    }

    /// Before 2024, the temporaries of the tail of a block used as an operand live to the end of
    /// the enclosing statement; a block with awaits is lowered as statements of its own, where
    /// they would end with it: refused.
    fn refuse_operand_tail_temporaries(&mut self, stmts: &[syn::Stmt]) {
        if !edition_2024()
            && let Some(syn::Stmt::Expr(tail, None)) = stmts.last()
            && let Some((span, _)) = tail_temporary(tail)
        {
            self.error(syn::Error::new(
                span,
                "#[state_machine] cannot lower the tail expression of this block as editions before 2024 run it: the block is an operand with awaits, and its tail's temporaries live to the end of the enclosing statement there, but end with the block in the lowered code. Bind the tail to a local first: `let v = ..; v` (the same order in every edition), or use edition 2024",
            ));
        }
    }

    /// A block with awaits inside an expression: its value is bound to a hidden local first.
    /// `operand`: the block is an operand of a larger expression (not a `break`'s value), whose
    /// tail's temporaries live to the end of the enclosing statement before edition 2024: that
    /// is refused when they exist.
    fn hoist_block(
        &mut self,
        stmts: Vec<syn::Stmt>,
        at: Span,
        operand: bool,
        out: &mut Vec<Stmt>,
    ) -> Expr {
        if operand {
            self.refuse_operand_tail_temporaries(&stmts);
        }
        let inner = self.block(stmts);
        let t = self.hidden("e", at);
        out.push(Stmt::Nested {
            head: Head::Let(Box::new(syn::parse_quote!(#t))),
            block: inner,
            user: true,
        });
        syn::parse_quote!(#t)
    }

    /// Hoists every await out of `e`; returns what remains to evaluate after them.
    fn hoist(&mut self, mut e: Expr, out: &mut Vec<Stmt>) -> Expr {
        if first_await(&e).is_none() {
            // A statement without awaits whose operand is forced (`has_forced`): that operand
            // becomes a statement of its own, and those before it are evaluated first.
            if self.has_forced(&e) {
                self.keep_temporaries(&mut e, out);
            }
            return e;
        }
        if is_control_with_awaits(&e) {
            let t = self.hidden("e", e.span());
            self.control(e, Head::Let(Box::new(syn::parse_quote!(#t))), out, true);
            return syn::parse_quote!(#t);
        }
        match &mut e {
            Expr::Await(a) => {
                let base = std::mem::replace(&mut *a.base, Expr::Verbatim(TokenStream::new()));
                let mut awaitee = self.hoist(base, out);
                // A `?`, `return`, `break` or `continue` in the awaited call's operands runs
                // before the future exists: evaluate those operands first, so the awaitee can be
                // wrapped in an `async move` block (which a jump could not leave).
                if has_escaping_jump(&awaitee) {
                    let ops: Vec<&mut Expr> = match &mut awaitee {
                        Expr::Call(c) => c.args.iter_mut().collect(),
                        Expr::MethodCall(m) => {
                            let mut v = vec![&mut *m.receiver];
                            v.extend(m.args.iter_mut());
                            v
                        }
                        _ => Vec::new(),
                    };
                    for op in ops {
                        if has_escaping_jump(op) {
                            let taken = std::mem::replace(op, Expr::Verbatim(TokenStream::new()));
                            *op = self.bind_now(taken, out);
                        }
                    }
                    // Elsewhere (`make(k)?.await`, the future itself from a `?`): the whole
                    // awaited value first, as rustc evaluates it before awaiting.
                    if has_escaping_jump(&awaitee) {
                        awaitee = self.bind_now(awaitee, out);
                    }
                }
                // Temporaries in the awaited call's arguments live to the end of the statement,
                // past this await (rustc keeps them in the coroutine). The receiver's own chain
                // is left to the wrapping of borrowing awaitees.
                match &mut awaitee {
                    Expr::Call(c) => self.keep_in_operands(c.args.iter_mut().collect(), out),
                    Expr::MethodCall(m) => self.keep_in_operands(m.args.iter_mut().collect(), out),
                    _ => {}
                }
                let index = self.next_await();
                let v = self.hidden("v", awaitee.span());
                out.push(Stmt::Await(Await {
                    index,
                    bind: Bind::Hidden(v.clone()),
                    awaitee,
                    span: a.await_token.span,
                }));
                return syn::parse_quote!(#v);
            }
            Expr::Call(c) => {
                let mut ops = vec![&mut *c.func];
                ops.extend(c.args.iter_mut());
                self.operands(ops, out);
            }
            Expr::MethodCall(m) => {
                let mut ops = vec![&mut *m.receiver];
                ops.extend(m.args.iter_mut());
                self.operands(ops, out);
            }
            Expr::Binary(b) => {
                use syn::BinOp::*;
                // The left operand of `&&`/`||` is a temporary scope of its own (like a
                // condition): when it awaits, the temporaries it keeps across its awaits end with
                // it, not with the statement.
                if matches!(b.op, And(_) | Or(_)) && first_await(&b.left).is_some() {
                    let left = std::mem::replace(&mut *b.left, Expr::Verbatim(TokenStream::new()));
                    *b.left = self.condition(left, out);
                }
                match b.op {
                    And(_) | Or(_) if first_await(&b.right).is_some() => {
                        // `a && b` runs as `if a { b } else { false }` (`||`: `if a { true }
                        // else { b }`). Each operand is a temporary scope (checked with a plain
                        // program, both editions): `a` as the condition, `b` as a `let` of
                        // its own (a branch's tail would keep its temporaries, before 2024).
                        let t = self.hidden("lazy", b.right.span());
                        let (left, right) = (&b.left, &b.right);
                        let run: syn::Block = syn::parse_quote!({ let #t = #right; #t });
                        let e: Expr = if matches!(b.op, And(_)) {
                            syn::parse_quote!(if #left #run else { false })
                        } else {
                            syn::parse_quote!(if #left { true } else #run)
                        };
                        return self.hoist(e, out);
                    }
                    AddAssign(_) | SubAssign(_) | MulAssign(_) | DivAssign(_) | RemAssign(_)
                    | BitXorAssign(_) | BitAndAssign(_) | BitOrAssign(_) | ShlAssign(_)
                    | ShrAssign(_) => {
                        if first_await(&b.left).is_some() {
                            self.awaiting_place(
                                &mut b.left,
                                &b.right,
                                "a compound assignment",
                                out,
                            );
                        } else {
                            self.operands(vec![&mut *b.right], out);
                        }
                    }
                    _ => self.operands(vec![&mut *b.left, &mut *b.right], out),
                }
            }
            Expr::Assign(a) => {
                if first_await(&a.left).is_some() {
                    self.awaiting_place(&mut a.left, &a.right, "an assignment", out);
                } else {
                    self.operands(vec![&mut *a.right], out);
                }
            }
            Expr::Unary(u) => self.operands(vec![&mut *u.expr], out),
            Expr::Cast(c) => self.operands(vec![&mut *c.expr], out),
            Expr::Paren(p) => self.operands(vec![&mut *p.expr], out),
            Expr::Group(g) => self.operands(vec![&mut *g.expr], out),
            Expr::Reference(r) => self.operands(vec![&mut *r.expr], out),
            Expr::Field(f) => self.operands(vec![&mut *f.base], out),
            Expr::Index(i) => self.operands(vec![&mut *i.expr, &mut *i.index], out),
            Expr::Tuple(t) => self.operands(t.elems.iter_mut().collect(), out),
            Expr::Array(a) => self.operands(a.elems.iter_mut().collect(), out),
            Expr::Repeat(r) => self.operands(vec![&mut *r.expr], out),
            Expr::Struct(s) => {
                let mut ops: Vec<&mut Expr> = s.fields.iter_mut().map(|f| &mut f.expr).collect();
                if let Some(rest) = &mut s.rest {
                    ops.push(&mut **rest);
                }
                self.operands(ops, out);
            }
            Expr::Range(r) => {
                let mut ops = Vec::new();
                if let Some(a) = &mut r.start {
                    ops.push(&mut **a);
                }
                if let Some(b) = &mut r.end {
                    ops.push(&mut **b);
                }
                self.operands(ops, out);
            }
            Expr::Return(r) => {
                if let Some(v) = &mut r.expr {
                    self.operands(vec![&mut **v], out);
                }
            }
            Expr::Break(b) => {
                if let Some(v) = &mut b.expr {
                    let awaits = first_await(v).is_some();
                    match &mut **v {
                        // A block as the value of a `break` (a labelled block's body, a
                        // `return`) is the statement's last value: its tail's temporaries end
                        // with it.
                        Expr::Block(blk) if awaits && blk.label.is_none() => {
                            let at = blk.block.brace_token.span.join();
                            let stmts = std::mem::take(&mut blk.block.stmts);
                            **v = self.hoist_block(stmts, at, false, out);
                        }
                        _ => self.operands(vec![&mut **v], out),
                    }
                }
            }
            Expr::Let(l) => self.operands(vec![&mut *l.expr], out),
            Expr::Match(m) => {
                let arm_await = m.arms.iter().find_map(|a| {
                    first_await(&a.body)
                        .or_else(|| a.guard.as_ref().and_then(|g| first_await(&g.1)))
                });
                if let Some(s) = arm_await {
                    self.error(unsupported(s, "a `match` arm"));
                } else {
                    self.operands(vec![&mut *m.expr], out);
                }
            }
            Expr::If(i) if matches!(&*i.cond, Expr::Let(_)) => {
                if i.else_branch.is_some() && edition_2024() {
                    let m = self.if_let_2024(i.clone(), out, false);
                    return self.hoist(m, out);
                }
                self.operands(vec![&mut *i.cond], out);
            }
            Expr::If(i) => {
                let cond = std::mem::replace(&mut *i.cond, Expr::Verbatim(TokenStream::new()));
                *i.cond = self.condition(cond, out);
            }
            Expr::Block(b) if b.label.is_none() => {
                let stmts = std::mem::take(&mut b.block.stmts);
                let at = b.block.brace_token.span.join();
                return self.hoist_block(stmts, at, true, out);
            }
            Expr::Macro(m) => match macros::parse_known(&m.mac) {
                Some(Ok(mut args)) => {
                    // `format!`, `println!`, ... expand to a block: the temporaries of their
                    // arguments end with it, not with the enclosing statement.
                    if is_block_macro(&m.mac) {
                        let mut inner = Vec::new();
                        self.operands(args.exprs_mut(), &mut inner);
                        m.mac.tokens = args.to_tokens();
                        let t = self.hidden("e", m.span());
                        inner.push(Stmt::Tail(e.clone()));
                        out.push(Stmt::Nested {
                            head: Head::Let(Box::new(syn::parse_quote!(#t))),
                            block: Block { stmts: inner },
                            user: false,
                        });
                        return syn::parse_quote!(#t);
                    }
                    self.operands(args.exprs_mut(), out);
                    m.mac.tokens = args.to_tokens();
                }
                // Awaited as one future by the rewrite (`async { join!(..) }.await`) wherever
                // the body can await: not reached, kept as a guard.
                _ if macros::is_awaiting(&m.mac) => {
                    let name = macros::name(&m.mac);
                    let span = macros::name_span(&m.mac).unwrap_or_else(|| m.span());
                    self.error(syn::Error::new(
                        span,
                        format!("`{name}!` awaits inside its expansion, which #[state_machine] cannot see or lower; await it as one future in an async block: `async {{ {name}!(..) }}.await`"),
                    ));
                }
                _ => {
                    let span = macros::tokens_await(&m.mac.tokens).unwrap_or_else(|| m.span());
                    let name = macros::name(&m.mac);
                    self.error(syn::Error::new(
                        span,
                        format!("#[state_machine] cannot see inside `{name}!`, so it cannot lower the `.await` in its arguments; bind the awaited value to a local first: `let v = fut.await;` and pass `v` to `{name}!`"),
                    ));
                }
            },
            other => {
                let s = first_await(other).unwrap_or_else(|| other.span());
                self.error(syn::Error::new(
                    s,
                    "#[state_machine] does not lower an `.await` in this position; bind the awaited value to a local first: `let v = fut.await;`",
                ));
            }
        }
        e
    }
}

/// Whether the crate being compiled uses edition 2024 or later, where the temporaries of an
/// `if let`'s scrutinee drop before its `else` block (before, they lived to the end of the
/// `if let`). A proc macro runs inside rustc, whose command line carries `--edition` (cargo
/// always passes it); without it (a macro server outside rustc, unit tests) 2024 is assumed.
pub(crate) fn edition_2024() -> bool {
    static EDITION_2024: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *EDITION_2024.get_or_init(|| {
        let args: Vec<String> = std::env::args().collect();
        let edition = args.iter().enumerate().find_map(|(i, a)| {
            a.strip_prefix("--edition=")
                .map(str::to_string)
                .or_else(|| {
                    (a == "--edition")
                        .then(|| args.get(i + 1).cloned())
                        .flatten()
                })
        });
        edition.is_none_or(|e| !matches!(e.as_str(), "2015" | "2018" | "2021"))
    })
}

/// A branch or loop whose body (not only its condition) contains awaits, or any `while` or
/// `for` with awaits (their condition runs on every iteration).
fn is_control_with_awaits(e: &Expr) -> bool {
    match e {
        Expr::If(i) => {
            block_awaits(&i.then_branch)
                // A let chain with an await in any operand: lowered as nested `if`s.
                || (has_let(&i.cond)
                    && !matches!(&*i.cond, Expr::Let(_))
                    && first_await(&i.cond).is_some())
                || i.else_branch
                    .as_ref()
                    .is_some_and(|(_, e)| first_await(e).is_some())
        }
        Expr::Match(m) => m.arms.iter().any(|a| {
            first_await(&a.body).is_some()
                || a.guard
                    .as_ref()
                    .is_some_and(|g| first_await(&g.1).is_some())
        }),
        Expr::Loop(_) | Expr::While(_) | Expr::ForLoop(_) => first_await(e).is_some(),
        Expr::Block(b) if b.label.is_some() => first_await(e).is_some(),
        _ => false,
    }
}

/// The `if`/`if let`/`match` of a statement without awaits (`<e>;`, `let p = <e>;`, a tail) that
/// the lowering can also write as a [`Stmt::Control`], with jumps out of its branches (or the
/// block, written as a [`Stmt::Nested`] whose statements are seen one by one): what
/// liveness asks for when a branch moves a local that a later suspension would otherwise save
/// (rustc's drop flag). Also a loop or a labelled block, whose exits then say whether they
/// moved it. (Not a let chain, left verbatim.)
pub(crate) fn branching(s: &syn::Stmt) -> Option<&Expr> {
    let e = match s {
        syn::Stmt::Expr(e, _) => e,
        syn::Stmt::Local(l) => match &l.init {
            Some(init) if init.diverge.is_none() => &init.expr,
            _ => return None,
        },
        _ => return None,
    };
    let e = unparen(e);
    is_branching(e).then_some(e)
}

/// The `if`s, `match`es and blocks (no awaits inside) that are operands of `e`, down the operands
/// [`Normalizer::keep_temporaries`] follows (`(match k { .. }) % 3 + f(if c { .. } else { .. })`,
/// the left operand of `&&`/`||`, not inside a branch, a closure or the right operand of
/// `&&`/`||`): liveness may ask to lower one with jumps, as
/// a statement of its own (`let __eN = match ..;`) before the rest.
pub(crate) fn operand_branchings<'a>(e: &'a Expr, out: &mut Vec<&'a Expr>) {
    match e {
        Expr::Match(_) | Expr::If(_) | Expr::Block(_) if first_await(e).is_none() => out.push(e),
        Expr::Paren(p) => operand_branchings(&p.expr, out),
        Expr::Group(g) => operand_branchings(&g.expr, out),
        Expr::Cast(c) => operand_branchings(&c.expr, out),
        Expr::Unary(u) => operand_branchings(&u.expr, out),
        Expr::Field(f) => operand_branchings(&f.base, out),
        Expr::Reference(r) => operand_branchings(&r.expr, out),
        Expr::MethodCall(m) => {
            operand_branchings(&m.receiver, out);
            m.args.iter().for_each(|a| operand_branchings(a, out));
        }
        Expr::Call(c) => c.args.iter().for_each(|a| operand_branchings(a, out)),
        Expr::Index(i) => {
            operand_branchings(&i.expr, out);
            operand_branchings(&i.index, out);
        }
        Expr::Binary(b) if !matches!(b.op, syn::BinOp::And(_) | syn::BinOp::Or(_)) => {
            operand_branchings(&b.left, out);
            operand_branchings(&b.right, out);
        }
        // The left operand of `&&`/`||` always runs (the right one only when needed).
        Expr::Binary(b) => operand_branchings(&b.left, out),
        // (Before edition 2024, a tail's hidden locals are assigned: `__e2 = <operand>;`.)
        Expr::Assign(a) => operand_branchings(&a.right, out),
        Expr::Tuple(t) => t.elems.iter().for_each(|a| operand_branchings(a, out)),
        Expr::Array(a) => a.elems.iter().for_each(|a| operand_branchings(a, out)),
        _ => {}
    }
}

/// `let P: T = e else ..` matched by a `match` (whose arms take no type): the pattern without
/// its type, and the value with it, `identity::<T>(e)`.
fn untyped(pat: &Pat, value: Expr) -> (&Pat, Expr) {
    match pat {
        Pat::Type(t) => {
            let ty = &t.ty;
            (
                &t.pat,
                syn::parse_quote!(::core::convert::identity::<#ty>(#value)),
            )
        }
        p => (p, value),
    }
}

/// The initializer of a generated `let P = e else { .. };`, in parentheses when it ends with a
/// `}` (a `match` the `?` lowering wrote, `a + match ..`), which a `let .. else` does not allow.
fn let_else_init(e: Expr) -> Expr {
    let ends_with_brace = matches!(
        e.to_token_stream().into_iter().last(),
        Some(proc_macro2::TokenTree::Group(g)) if g.delimiter() == proc_macro2::Delimiter::Brace
    );
    if ends_with_brace {
        syn::parse_quote!((#e))
    } else {
        e
    }
}

/// `e` without the parentheses around it.
pub(crate) fn unparen(mut e: &Expr) -> &Expr {
    while let Expr::Paren(p) = e {
        e = &p.expr;
    }
    e
}

/// See [`branching`]: also the value of a statement whose awaits were hoisted out of it
/// (`if f().await > 1 { .. }` is `let __e = f().await; if __e > 1 { .. }`).
pub(crate) fn is_branching(e: &Expr) -> bool {
    match e {
        Expr::Match(m) => m.attrs.is_empty(),
        // (A labelled one: lowered as a loop, see below.)
        Expr::Block(b) => b.attrs.is_empty() && (b.label.is_none() || first_await(e).is_none()),
        Expr::If(i) if i.attrs.is_empty() => match &*i.cond {
            Expr::Let(_) => true,
            cond => !has_let(cond),
        },
        // A loop that moves a local before a `break` (`for x in v { if c { drop(n); break } }`):
        // lowered with jumps, its exits say which way it went (no awaits inside: the statement
        // is verbatim otherwise).
        Expr::ForLoop(f) => f.attrs.is_empty() && first_await(e).is_none(),
        Expr::While(w) => w.attrs.is_empty() && first_await(e).is_none(),
        Expr::Loop(l) => l.attrs.is_empty() && first_await(e).is_none(),
        _ => false,
    }
}

/// How liveness asks for a `for` loop to be awaited as one future (see `Analysis::force`):
/// this prefix, then its iterable's `branching_key`.
pub const WRAP_LOOP: &str = "wrap loop: ";

/// How liveness names a [`branching`] expression to [`normalize_with`]: its tokens.
pub(crate) fn branching_key(e: &Expr) -> String {
    e.to_token_stream().to_string()
}

/// The operands of `a && b && c`, in order.
fn and_operands(e: Expr, out: &mut Vec<Expr>) {
    match e {
        Expr::Binary(b) if matches!(b.op, syn::BinOp::And(_)) => {
            and_operands(*b.left, out);
            and_operands(*b.right, out);
        }
        e => out.push(e),
    }
}

/// A hidden local holding a part of an expression (`__e<n>`, see `Normalizer::hidden`).
fn is_hidden_temporary(i: &Ident) -> bool {
    is_hidden(i, "__e")
}

/// The hidden keeper of a `match` scrutinee (`__keep<n>`).
fn is_hidden_keeper(i: &Ident) -> bool {
    is_hidden(i, "__keep")
}

fn is_hidden(i: &Ident, prefix: &str) -> bool {
    i.to_string()
        .strip_prefix(prefix)
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether a statement declares a local that lives to the end of its block: a `let` that
/// binds a name, or a macro statement other than the known ones (it might expand to a `let`).
fn declares_local(s: &syn::Stmt) -> bool {
    match s {
        syn::Stmt::Local(l) => {
            let mut names = Vec::new();
            crate::liveness::pat_idents(&l.pat, &mut names);
            !names.is_empty()
        }
        syn::Stmt::Macro(m) => macros::parse_known(&m.mac).is_none(),
        syn::Stmt::Expr(..) | syn::Stmt::Item(_) => false,
    }
}

/// Where a block's tail expression holds temporaries that live to the end of the block's scope
/// (before edition 2024: after its locals): its own, a nested block's tail's, an `if let`'s or
/// a `match`'s scrutinee's (checked natively, edition 2021: not those of an `if`'s condition,
/// branches or a `match`'s arms, scopes of their own); and whether the expression holding them
/// awaits (the scrutinee only, for an `if let` or a `match`).
fn tail_temporary(e: &Expr) -> Option<(Span, bool)> {
    let tail_of = |b: &syn::Block| match b.stmts.last() {
        Some(syn::Stmt::Expr(t, None)) => tail_temporary(t),
        _ => None,
    };
    let scrutinee = |m: &syn::ExprMatch| {
        (has_temporaries(&m.expr)
            || scrutinee_may_hold_drop(&m.expr, m.arms.iter().map(|a| &a.pat)))
        .then(|| (m.expr.span(), first_await(&m.expr).is_some()))
    };
    match e {
        // The branches of an `if`, the arms of a `match` and an `if`'s condition are scopes of
        // their own (their temporaries drop at their end, in every edition); an `if let`'s
        // scrutinee, like a `match`'s, lives to the end of the tail's scope.
        Expr::If(i) => if_let_as_match(i).and_then(|m| scrutinee(&m)),
        Expr::Match(m) => scrutinee(m),
        Expr::Block(b) => tail_of(&b.block),
        Expr::Paren(p) => tail_temporary(&p.expr),
        e => has_temporaries(e).then(|| (e.span(), first_await(e).is_some())),
    }
}

/// Finds (`label: None`) or labels the `break`/`continue` without a label that are not inside
/// a loop within the visited expression.
struct Relabel {
    label: Option<syn::Lifetime>,
    depth: usize,
    found: bool,
}

impl VisitMut for Relabel {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        use syn::visit_mut;
        match e {
            Expr::Closure(_) | Expr::Async(_) | Expr::Const(_) => {}
            Expr::Loop(l) => {
                self.depth += 1;
                visit_mut::visit_expr_loop_mut(self, l);
                self.depth -= 1;
            }
            Expr::While(w) => {
                self.depth += 1;
                visit_mut::visit_expr_while_mut(self, w);
                self.depth -= 1;
            }
            Expr::ForLoop(f) => {
                self.visit_expr_mut(&mut f.expr);
                self.depth += 1;
                visit_mut::visit_block_mut(self, &mut f.body);
                self.depth -= 1;
            }
            Expr::Break(b) => {
                if b.label.is_none() && self.depth == 0 {
                    self.found = true;
                    b.label.clone_from(&self.label);
                }
                if let Some(v) = &mut b.expr {
                    self.visit_expr_mut(v);
                }
            }
            Expr::Continue(c) => {
                if c.label.is_none() && self.depth == 0 {
                    self.found = true;
                    c.label.clone_from(&self.label);
                }
            }
            _ => visit_mut::visit_expr_mut(self, e),
        }
    }
    fn visit_macro_mut(&mut self, m: &mut syn::Macro) {
        macros::visit_args_mut(m, |e| self.visit_expr_mut(e));
    }
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

/// `format!`, `println!`, ...: they expand to a block, whose end drops their arguments'
/// temporaries.
fn is_block_macro(m: &syn::Macro) -> bool {
    ["format", "print", "println", "eprint", "eprintln"].contains(&macros::name(m).as_str())
}

/// Whether `e` contains a `break` or `continue` that leaves `e` (to a loop or label around it,
/// or the `break '__body` that `?` and `return` became): such an operand cannot move into an
/// `async move` block.
fn has_escaping_jump(e: &Expr) -> bool {
    struct Find {
        labels: Vec<String>,
        loops: usize,
        found: bool,
    }
    impl<'a> Visit<'a> for Find {
        fn visit_expr(&mut self, e: &'a Expr) {
            if self.found {
                return;
            }
            let label_of = |l: &Option<syn::Label>| l.as_ref().map(|l| l.name.ident.to_string());
            match e {
                Expr::Closure(_) | Expr::Async(_) | Expr::Const(_) => {}
                Expr::Loop(l) => {
                    self.inside(label_of(&l.label), true, |f| visit::visit_expr_loop(f, l))
                }
                Expr::While(w) => {
                    self.inside(label_of(&w.label), true, |f| visit::visit_expr_while(f, w))
                }
                Expr::ForLoop(fl) => self.inside(label_of(&fl.label), true, |f| {
                    visit::visit_expr_for_loop(f, fl)
                }),
                Expr::Block(b) if b.label.is_some() => {
                    self.inside(label_of(&b.label), false, |f| visit::visit_expr_block(f, b))
                }
                Expr::Break(b) => {
                    let escapes = match &b.label {
                        Some(l) => !self.labels.contains(&l.ident.to_string()),
                        None => self.loops == 0,
                    };
                    self.found |= escapes;
                    visit::visit_expr_break(self, b);
                }
                Expr::Continue(c) => {
                    self.found |= match &c.label {
                        Some(l) => !self.labels.contains(&l.ident.to_string()),
                        None => self.loops == 0,
                    };
                }
                _ => visit::visit_expr(self, e),
            }
        }
        fn visit_item(&mut self, _: &'a syn::Item) {}
    }
    impl Find {
        fn inside(&mut self, label: Option<String>, is_loop: bool, f: impl FnOnce(&mut Self)) {
            self.labels.extend(label.clone());
            self.loops += usize::from(is_loop);
            f(self);
            self.loops -= usize::from(is_loop);
            if label.is_some() {
                self.labels.pop();
            }
        }
    }
    let mut f = Find {
        labels: Vec::new(),
        loops: 0,
        found: false,
    };
    f.visit_expr(e);
    f.found || has_body_break(e)
}

/// Whether `e` contains a `break '__body` (what `?` and `return` became) outside closures and
/// async blocks.
fn has_body_break(e: &Expr) -> bool {
    fn scan(t: TokenStream) -> bool {
        t.into_iter().any(|tt| match tt {
            proc_macro2::TokenTree::Ident(i) => i == crate::rewrite::BODY_LABEL,
            proc_macro2::TokenTree::Group(g) => scan(g.stream()),
            _ => false,
        })
    }
    scan(e.to_token_stream())
}

thread_local! {
    /// The fn's `consumes = [..]` option (see [`set_consuming`]).
    static CONSUMING: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Sets the method names the fn being lowered declares as taking `self` by value (its
/// `consumes = [..]` option), which `consumes_receiver` adds to the names it knows.
pub fn set_consuming(names: Vec<String>) {
    CONSUMING.with(|c| *c.borrow_mut() = names);
}

/// Methods that take `self` by value: their receiver is moved, not kept as a temporary. The
/// names known for every common type, and those of the fn's `consumes = [..]` option.
pub(crate) fn consumes_receiver(method: &Ident) -> bool {
    // Only names that take `self` on every common type: `take`, `last`, `max`, `min`, `count`,
    // `nth` also exist as `&self`/`&mut self` methods (`Option::take`, `slice::last`, ...).
    const BY_VALUE: &[&str] = &[
        "unwrap",
        "expect",
        "ok",
        "err",
        "unwrap_or",
        "unwrap_or_else",
        "unwrap_or_default",
        "expect_err",
        "unwrap_err",
        "map",
        "map_err",
        "and_then",
        "or_else",
        "filter",
        "filter_map",
        "flat_map",
        "flatten",
        "enumerate",
        "zip",
        "chain",
        "rev",
        "skip",
        "step_by",
        "peekable",
        "cloned",
        "copied",
        "sum",
        "product",
        "collect",
        "fold",
        "max_by_key",
        "min_by_key",
        "for_each",
        "unzip",
        "partition",
    ];
    let m = method.to_string();
    m.starts_with("into")
        || BY_VALUE.contains(&m.as_str())
        || CONSUMING.with(|c| c.borrow().contains(&m))
}

/// Whether evaluating `e` creates a temporary that rustc keeps to the end of the statement: a
/// method call, field or index on a value that is not a place, or a borrow of such a value.
fn has_temporaries(e: &Expr) -> bool {
    match e {
        // A literal receiver (`2u64.pow(k)`) has no destructor and is promoted when borrowed.
        Expr::MethodCall(m) => {
            temporary_receiver(m)
                || has_temporaries(&m.receiver)
                || m.args.iter().any(has_temporaries)
        }
        Expr::Field(f) => !is_place(&f.base) || has_temporaries(&f.base),
        Expr::Index(i) => {
            !is_place(&i.expr) || has_temporaries(&i.expr) || has_temporaries(&i.index)
        }
        Expr::Reference(r) => borrows_temporary(r) || has_temporaries(&r.expr),
        Expr::Call(c) => c.args.iter().any(has_temporaries),
        Expr::Binary(b) => has_temporaries(&b.left) || has_temporaries(&b.right),
        Expr::Tuple(t) => t.elems.iter().any(has_temporaries),
        Expr::Array(a) => a.elems.iter().any(has_temporaries),
        Expr::Paren(p) => has_temporaries(&p.expr),
        Expr::Group(g) => has_temporaries(&g.expr),
        Expr::Cast(c) => has_temporaries(&c.expr),
        Expr::Unary(u) => has_temporaries(&u.expr) || deref_of_temporary(u),
        Expr::Match(m) => {
            has_temporaries(&m.expr)
                || scrutinee_may_hold_drop(&m.expr, m.arms.iter().map(|a| &a.pat))
        }
        Expr::If(i) => if_let_as_match(i).is_some_and(|m| has_temporaries(&Expr::Match(m))),
        _ => false,
    }
}

/// `*<value>` whose value is a temporary of the statement that may hold a guard
/// (`*m.lock().unwrap()`), not a place and not a chain that likely returns a borrow
/// (`*v.first().unwrap()`: kept, it would be a reference into a saved local; no destructor).
fn deref_of_temporary(u: &syn::ExprUnary) -> bool {
    matches!(u.op, syn::UnOp::Deref(_)) && !is_place(&u.expr) && !chain_returns_borrow(&u.expr)
}

/// Methods whose result borrows their receiver and has no destructor.
const RETURNS_BORROW: &[&str] = &[
    "get",
    "get_mut",
    "first",
    "last",
    "peek",
    "as_ref",
    "as_mut",
    "as_deref",
    "as_deref_mut",
    "as_str",
    "as_slice",
    "iter",
    "iter_mut",
    "keys",
    "values",
    "values_mut",
    "chars",
    "bytes",
    "split_whitespace",
];

fn returns_borrow(method: &Ident) -> bool {
    RETURNS_BORROW.contains(&method.to_string().as_str())
}

/// Whether a method chain calls one of [`RETURNS_BORROW`] (or is `&..`, or a `?` on such a
/// chain): its value most likely borrows (`v.first().unwrap()`, `map.get(&k)?`).
fn chain_returns_borrow(e: &Expr) -> bool {
    match e {
        Expr::Reference(_) => true,
        Expr::MethodCall(m) => returns_borrow(&m.method) || chain_returns_borrow(&m.receiver),
        Expr::Try(t) => chain_returns_borrow(&t.expr),
        Expr::Paren(p) => chain_returns_borrow(&p.expr),
        _ => false,
    }
}

/// Whether the value of a `match` scrutinee (its temporaries kept already) may have something
/// to drop after the arm that matched: not a place, a literal, a reference (`&x`), nor the
/// result of a method returning a borrow (`map.get(&k)`: keeping it would keep a borrow of a
/// saved local, and it has no destructor), and no arm has a literal pattern (the type is an
/// integer, `char`, `bool`, float or `&str`).
fn scrutinee_may_hold_drop<'p>(scrut: &Expr, mut pats: impl Iterator<Item = &'p Pat>) -> bool {
    let borrow = match scrut {
        Expr::Reference(_) | Expr::Lit(_) => true,
        Expr::MethodCall(m) => returns_borrow(&m.method),
        _ => false,
    };
    !borrow && !is_place(scrut) && !pats.any(literal_pattern)
}

/// `if let P = e { a } else { b }` as the `match` it runs as before edition 2024
/// (`match e { P => a, _ => b }`: the scrutinee's temporaries live to the end of the
/// statement); `None` from 2024 on (they drop before `b`, at the end of the `if let` after
/// `a`) or for other `if`s.
fn if_let_as_match(i: &syn::ExprIf) -> Option<syn::ExprMatch> {
    match &*i.cond {
        Expr::Let(l) if !edition_2024() => Some(if_let_match(i, l)),
        _ => None,
    }
}

/// `if let P = e { a } else { b }` (condition `l`) as `match e { P => a, _ => b }`.
fn if_let_match(i: &syn::ExprIf, l: &syn::ExprLet) -> syn::ExprMatch {
    let (pat, scrut, then) = (&l.pat, &l.expr, &i.then_branch);
    match &i.else_branch {
        Some((_, e)) => syn::parse_quote!(match #scrut { #pat => #then, _ => #e }),
        None => syn::parse_quote!(match #scrut { #pat => #then, _ => {} }),
    }
}

/// Whether block `b` holds an `.await`.
fn block_awaits(b: &syn::Block) -> bool {
    first_await(&Expr::Block(syn::ExprBlock {
        attrs: vec![],
        label: None,
        block: b.clone(),
    }))
    .is_some()
}

/// A literal or an array, tuple or repeat of literals (`2u64`, `[1u32, 2]`, `(1, "a")`,
/// `[-1; 3]`): no destructor, so when its drop happens is not observable, and rustc promotes a
/// shared borrow of it to a `'static` constant (`[1u32, 2].iter()` borrows no temporary), so
/// a borrow of it may live across an await without keeping anything.
fn is_literal(e: &Expr) -> bool {
    match e {
        Expr::Lit(_) => true,
        Expr::Paren(p) => is_literal(&p.expr),
        Expr::Group(g) => is_literal(&g.expr),
        Expr::Unary(u) => matches!(u.op, syn::UnOp::Neg(_)) && matches!(&*u.expr, Expr::Lit(_)),
        Expr::Array(a) => a.elems.iter().all(is_literal),
        Expr::Tuple(t) => t.elems.iter().all(is_literal),
        Expr::Repeat(r) => is_literal(&r.expr) && matches!(&*r.len, Expr::Lit(_)),
        _ => false,
    }
}

/// A method call on a literal that borrows no temporary: a shared borrow of it is promoted
/// (not a `..._mut` method, whose `&mut` borrow of the literal would be a temporary).
fn literal_receiver(m: &syn::ExprMethodCall) -> bool {
    is_literal(&m.receiver) && !m.method.to_string().ends_with("_mut")
}

/// Whether the receiver of `m` is a temporary (neither a place nor a promoted literal), which
/// the call borrows unless it takes `self` by value.
pub(crate) fn temporary_receiver(m: &syn::ExprMethodCall) -> bool {
    !is_place(&m.receiver) && !literal_receiver(m)
}

/// Whether `&e` / `&mut e` borrows a temporary: `e` is not a place, and not a literal whose
/// shared borrow rustc promotes to a constant.
pub(crate) fn borrows_temporary(r: &syn::ExprReference) -> bool {
    !is_place(&r.expr) && (r.mutability.is_some() || !is_literal(&r.expr))
}

fn has_let(e: &Expr) -> bool {
    match e {
        Expr::Let(_) => true,
        Expr::Binary(b) => has_let(&b.left) || has_let(&b.right),
        Expr::Paren(p) => has_let(&p.expr),
        _ => false,
    }
}

/// The local at the root of a place (`v` of `v.a[i].b`), if `e` is one.
pub(crate) fn place_root(e: &Expr) -> Option<String> {
    match e {
        Expr::Path(p) => p.path.get_ident().map(|i| i.to_string()),
        Expr::Field(f) => place_root(&f.base),
        Expr::Index(i) => place_root(&i.expr),
        Expr::Paren(p) => place_root(&p.expr),
        _ => None,
    }
}

/// The locals `e` changes: assigned (`x = ..`, `x += ..`) or borrowed mutably (`&mut x`), at the
/// root of the place. (A method taking `&mut self` is not seen: `x + { x.incr(); f().await }`
/// with a `Copy` `x` would read `x` late. Counting every method call would move non-`Copy`
/// operands compared by reference, `v == { v.len(); .. }`, which rustc accepts.)
fn mutated_locals(e: &Expr) -> HashSet<String> {
    struct Find(HashSet<String>);
    impl<'a> Visit<'a> for Find {
        fn visit_expr(&mut self, e: &'a Expr) {
            let target = match e {
                Expr::Assign(a) => place_root(&a.left),
                Expr::Binary(b) if crate::liveness::is_assign_op(&b.op) => place_root(&b.left),
                Expr::Reference(r) if r.mutability.is_some() => place_root(&r.expr),
                _ => None,
            };
            self.0.extend(target);
            visit::visit_expr(self, e);
        }
    }
    let mut f = Find(HashSet::new());
    f.visit_expr(e);
    f.0
}

/// Whether a `match` arm with pattern `pat` leaves nothing of the scrutinee to drop: it binds
/// every part by value (`moves_whole`; a destructured type with a `Drop` impl is refused by
/// the `DropProbe`), or it is `None`.
pub(crate) fn consumes(pat: &Pat) -> bool {
    moves_whole(pat)
        || match pat {
            Pat::Ident(i) => i.subpat.is_none() && i.by_ref.is_none() && i.ident == "None",
            Pat::Path(p) => prelude_variant(&p.path).as_deref() == Some("None"),
            _ => false,
        }
}

/// Pushes a statement whose awaits were hoisted into `inner`: `{ <inner> <value> }` with the
/// statement's head.
fn statement_block(head: Head, mut inner: Vec<Stmt>, value: Expr, out: &mut Vec<Stmt>) {
    let head = match head {
        Head::Let(ref p) | Head::LetElse(ref p, _) if matches_inside(&head) => {
            let mut binds = Vec::new();
            crate::liveness::pat_idents(p, &mut binds);
            let names = binds.iter().map(|(i, _, _)| i);
            let outer = binds.iter().map(|(i, m, _)| {
                let m = m.then(|| quote::quote!(mut));
                quote::quote!(#m #i)
            });
            if let Head::LetElse(_, d) = &head {
                // The statement's temporaries (and the block's hidden locals) drop before the
                // `else` block runs: the block hands out `Some(bindings)` or `None`, and the
                // `else` runs after it.
                let m = proc_macro2::Ident::new("__le", proc_macro2::Span::mixed_site());
                let names: Vec<&Ident> = names.collect();
                let (p, value) = untyped(p, value);
                inner.push(Stmt::Code(syn::parse_quote! {
                    let #m = match #value {
                        #p => ::core::option::Option::Some((#(#names,)*)),
                        #[allow(unreachable_patterns)]
                        _ => ::core::option::Option::None,
                    };
                }));
                inner.push(Stmt::Tail(syn::parse_quote!(#m)));
                out.push(Stmt::Nested {
                    head: Head::LetElse(
                        Box::new(syn::parse_quote!(::core::option::Option::Some((#(#outer,)*)))),
                        d.clone(),
                    ),
                    block: Block { stmts: inner },
                    user: false,
                });
                return;
            }
            inner.push(Stmt::Code(syn::parse_quote!(let #p = #value;)));
            inner.push(Stmt::Tail(syn::parse_quote!((#(#names,)*))));
            out.push(Stmt::Nested {
                head: Head::Let(Box::new(syn::parse_quote!((#(#outer,)*)))),
                block: Block { stmts: inner },
                user: false,
            });
            return;
        }
        head => head,
    };
    inner.push(Stmt::Tail(value));
    out.push(Stmt::Nested {
        head,
        block: Block { stmts: inner },
        user: false,
    });
}

/// Whether a statement's pattern is matched inside its block ([`statement_block`]): one that may
/// leave parts of the value unbound (`Some((x, _))`, `S { a, .. }`, a `let .. else`). rustc drops
/// those parts at the end of the statement, before the statement's other temporaries (created
/// earlier). The value, the tail of the statement's block, would drop its temporaries at the end
/// of the block, before them: the pattern is matched inside the block instead, by a `let` whose
/// temporaries end with it in native order, and the block hands out its bindings.
fn matches_inside(head: &Head) -> bool {
    match head {
        Head::Let(p) | Head::LetElse(p, _) => {
            !binds_all(p) && !has_pat_macro(p) && !has_ref_binding(p)
        }
        Head::Expr | Head::Tail => false,
    }
}

/// Whether `let <p> = v` binds all of `v` to one local (`x`, `mut x`, `x: T`): nothing of the
/// value is left to drop with the statement.
fn binds_all(p: &Pat) -> bool {
    match p {
        Pat::Ident(i) => i.subpat.is_none() && i.by_ref.is_none(),
        Pat::Type(t) => binds_all(&t.pat),
        Pat::Paren(p) => binds_all(&p.pat),
        _ => false,
    }
}

/// Whether `p` binds by reference somewhere (`ref x`): such a binding borrows the value and
/// could not be handed out of a block.
fn has_ref_binding(p: &Pat) -> bool {
    let mut binds = Vec::new();
    crate::liveness::pat_idents(p, &mut binds);
    binds.iter().any(|(_, _, by_ref)| *by_ref)
}

/// Whether `p` holds a macro, whose bindings cannot be seen.
fn has_pat_macro(p: &Pat) -> bool {
    struct Find(bool);
    impl<'a> syn::visit::Visit<'a> for Find {
        fn visit_pat(&mut self, p: &'a Pat) {
            self.0 |= matches!(p, Pat::Macro(_));
            syn::visit::visit_pat(self, p);
        }
    }
    let mut f = Find(false);
    syn::visit::Visit::visit_pat(&mut f, p);
    f.0
}

/// Whether a `match` arm with pattern `pat` leaves nothing of the scrutinee to drop, unit
/// variants included: [`consumes`], or [`unit_variant_pattern`] (a `Drop` impl of the matched
/// type is refused by a `DropProbe` where this is relied on).
pub(crate) fn leaves_nothing(pat: &Pat) -> bool {
    consumes(pat) || unit_variant_pattern(pat)
}

/// A unit variant or associated constant named by a path (`Cmd::Quit`, `Self::Idle`,
/// `u8::MAX`): it binds nothing and leaves nothing to drop, unless the matched type has a `Drop`
/// impl itself (checked at compile time by a `DropProbe` where this is relied on).
fn unit_variant_pattern(pat: &Pat) -> bool {
    match pat {
        Pat::Path(p) => {
            p.qself.is_none()
                && p.path.segments.len() >= 2
                && p.path.segments.iter().all(|s| s.arguments.is_none())
                && p.path
                    .segments
                    .last()
                    .is_some_and(|s| s.ident.to_string().starts_with(|c: char| c.is_uppercase()))
        }
        _ => false,
    }
}

/// The variant a path names when it is one of the prelude's `Option`/`Result` variants
/// (`Some`, `None`, `Ok`, `Err`), bare or through `Option`/`Result` or `std`/`core`'s full path.
/// These types have no `Drop` impl. Assumes the bare names are the prelude's (a glob import of
/// a user enum's variants with those names would shadow them).
fn prelude_variant(path: &syn::Path) -> Option<String> {
    let segs: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    let (last, prefix) = segs.split_last()?;
    let owner = match last.as_str() {
        "Some" | "None" => "Option",
        "Ok" | "Err" => "Result",
        _ => return None,
    };
    let ok = match prefix {
        [] => true,
        [o] => o == owner,
        [krate, module, o] => {
            matches!(krate.as_str(), "std" | "core")
                && *module == owner.to_lowercase()
                && o == owner
        }
        _ => false,
    };
    ok.then(|| last.clone())
}

/// Whether `pat` destructures a type other than `Option`, `Result`, a tuple or an array (a
/// user's type, which may implement `Drop`).
fn destructures_user_type(pat: &Pat) -> bool {
    match pat {
        Pat::Type(t) => destructures_user_type(&t.pat),
        Pat::Paren(p) => destructures_user_type(&p.pat),
        Pat::Tuple(t) => t.elems.iter().any(destructures_user_type),
        Pat::Slice(s) => s.elems.iter().any(destructures_user_type),
        Pat::TupleStruct(t) => {
            prelude_variant(&t.path).is_none() || t.elems.iter().any(destructures_user_type)
        }
        Pat::Struct(_) => true,
        _ => false,
    }
}

/// A pattern that only a literal's type can match: integers, `char`, `bool`, floats, `&str`,
/// byte strings, none of which needs dropping.
fn literal_pattern(p: &Pat) -> bool {
    match p {
        Pat::Lit(_) | Pat::Range(_) => true,
        Pat::Or(o) => o.cases.iter().any(literal_pattern),
        Pat::Paren(p) => literal_pattern(&p.pat),
        _ => false,
    }
}

/// A place expression: a local, a field of one, `*x`, `x[i]` with a simple index.
pub(crate) fn is_place(e: &Expr) -> bool {
    match e {
        Expr::Path(p) => p.qself.is_none(),
        Expr::Field(f) => is_place(&f.base),
        Expr::Paren(p) => is_place(&p.expr),
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => is_place(&u.expr),
        Expr::Index(i) => is_place(&i.expr) && is_stable(&i.index),
        _ => false,
    }
}

/// An operand whose evaluation can move after an await without any observable difference:
/// literals, paths, and borrows of places (the await cannot mutate a place it does not borrow
/// while rustc would keep the borrow).
fn is_stable(e: &Expr) -> bool {
    match e {
        Expr::Lit(_) => true,
        Expr::Path(p) => p.qself.is_none(),
        Expr::Reference(r) => is_place(&r.expr),
        Expr::Paren(p) => is_stable(&p.expr),
        // `v[..]`, `v[1..n]`: a range of stable bounds.
        Expr::Range(r) => {
            r.start.as_deref().is_none_or(is_stable) && r.end.as_deref().is_none_or(is_stable)
        }
        _ => false,
    }
}

impl ToTokens for Bind {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        match self {
            Bind::Pat(p) => p.to_tokens(tokens),
            Bind::Discard => tokens.extend(quote!(_)),
            Bind::Hidden(i) => i.to_tokens(tokens),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(b: &Block) -> String {
        b.stmts
            .iter()
            .map(|s| match s {
                Stmt::Code(c) => format!("code({})", crate::rewrite::compact(c)),
                Stmt::Await(a) => format!(
                    "await{}({} = {})",
                    a.index,
                    crate::rewrite::compact(&a.bind),
                    crate::rewrite::compact(&a.awaitee)
                ),
                Stmt::Nested { head, block, .. } => format!(
                    "nested[{}]{{{}}}",
                    match head {
                        Head::Let(p) => format!("let {}", crate::rewrite::compact(p)),
                        Head::LetElse(p, _) => format!("let {} else", crate::rewrite::compact(p)),
                        Head::Expr => "expr".into(),
                        Head::Tail => "tail".into(),
                    },
                    shape(block)
                ),
                Stmt::Control { id, ctl, .. } => match ctl {
                    Control::If { then, els, .. } => format!(
                        "if#{id}{{{}}}else{{{}}}",
                        shape(then),
                        els.as_ref().map(shape).unwrap_or_default()
                    ),
                    Control::Match { arms, .. } => format!(
                        "match#{id}[{}]",
                        arms.iter()
                            .map(|a| shape(&a.body))
                            .collect::<Vec<_>>()
                            .join(" | ")
                    ),
                    Control::Loop { body, .. } => format!("loop#{id}{{{}}}", shape(body)),
                },
                Stmt::Tail(e) => format!("tail({})", crate::rewrite::compact(e)),
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn run(body: TokenStream) -> String {
        let (b, _, _) = normalize(syn::parse2(body).unwrap()).unwrap();
        shape(&b)
    }

    #[test]
    fn flat_awaits_stay_flat() {
        assert_eq!(
            run(quote!({
                let x = f().await;
                g(x).await;
                x
            })),
            "await0(x = f()); await1(_ = g(x)); tail(x)"
        );
    }

    #[test]
    fn nested_awaits_hoist_in_evaluation_order() {
        assert_eq!(
            run(quote!({
                let y = h(a(), f().await, b());
            })),
            "nested[let y]{code(let __e0 = a();); await0(__v1 = f()); tail(h(__e0, __v1, b()))}"
        );
        assert_eq!(
            run(quote!({ f().await.g().await })),
            "nested[tail]{await0(__v0 = f()); await1(__v1 = __v0.g()); tail(__v1)}"
        );
    }

    #[test]
    fn temporaries_before_an_await_are_kept() {
        assert_eq!(
            run(quote!({
                let n = Noisy::new().len() + f().await;
            })),
            "nested[let n]{code(let mut __e0 = Noisy::new();); code(let __e1 = __e0.len();); await0(__v2 = f()); tail(__e1 + __v2)}"
        );
    }

    #[test]
    fn known_macros_are_expressions() {
        assert_eq!(
            run(quote!({
                let d = format!("{}-{}", name, fetch(n).await);
            })),
            "nested[let d]{await0(__v0 = fetch(n)); tail(format!(\"{}-{}\", name, __v0))}"
        );
    }

    #[test]
    fn control_flow_with_awaits_is_lowered() {
        assert_eq!(
            run(quote!({
                if c {
                    f().await;
                } else {
                    g()
                }
            })),
            "if#0{await0(_ = f())}else{tail(g())}"
        );
        assert_eq!(
            run(quote!({
                while n > 0 {
                    f().await;
                }
            })),
            "loop#0{code(if !(n > 0) { break; }); await0(_ = f())}"
        );
        assert_eq!(
            run(quote!({
                let x = match y {
                    0 => 1,
                    _ => f().await,
                };
            })),
            "match#0[tail(1) | await0(__v0 = f()); tail(__v0)]"
        );
        assert_eq!(
            run(quote!({
                let Some(x) = f().await else { return };
                x
            })),
            // The pattern is matched inside the statement's block, whose hidden locals drop
            // before the `else` block runs (as the statement's temporaries do natively).
            "nested[let ::core::option::Option::Some((x,)) else]{await0(__v0 = f()); code(let __le = match __v0 { Some(x) =>::core::option::Option::Some((x,)), #[allow(unreachable_patterns)] _ =>::core::option::Option::None, };); tail(__le)}; tail(x)"
        );
    }

    #[test]
    fn labelled_blocks_and_let_chains_become_loops_that_run_once() {
        // `'b: { .. }` as `'b: loop { break 'b { .. }; }`, which nothing continues.
        let (b, _, _) = normalize(syn::parse_quote!({
            let v = 'b: {
                if f().await {
                    break 'b 1;
                }
                2
            };
        }))
        .unwrap();
        assert_eq!(
            shape(&b),
            "loop#0{nested[expr]{nested[let __e2]{nested[expr]{nested[let __e1]{await0(__v0 = f()); tail(__v0)}; tail(if __e1 { break 'b 1; })}; tail(2)}; tail(break 'b __e2)}}"
        );
        assert!(matches!(
            b.stmts.first(),
            Some(Stmt::Control {
                ctl: Control::Loop { repeats: false, .. },
                ..
            })
        ));
        // A let chain: nested `if`s in a hidden labelled block; the `continue` without a label
        // inside it is given the hidden label of the loop around it.
        let (b, _, _) = normalize(syn::parse_quote!({
            loop {
                if let Some(x) = o
                    && x > f().await
                {
                    continue;
                }
            }
        }))
        .unwrap();
        let Some(Stmt::Control {
            ctl:
                Control::Loop {
                    label: Some(outer),
                    repeats: true,
                    body,
                },
            ..
        }) = b.stmts.first()
        else {
            panic!("a labelled loop: {}", shape(&b))
        };
        assert!(outer.ident.to_string().starts_with("__loop"), "{outer}");
        let text = format!("{body:?}");
        assert!(text.contains("repeats: false"), "{text}");
        let inner = shape(body);
        assert!(inner.contains(&format!("continue {outer}")), "{inner}");
        assert!(!inner.contains("continue;"), "{inner}");
    }

    #[test]
    fn what_is_still_refused() {
        for body in [
            quote!({
                match y {
                    _ if f().await => 1,
                    _ => 2,
                }
            }),
            quote!({ my_macro!(f().await) }),
        ] {
            let e = normalize(syn::parse2(body).unwrap())
                .map(|_| ())
                .expect_err("refused");
            assert!(e.to_string().contains("#[state_machine]"), "{e}");
        }
    }

    #[test]
    fn items_are_set_apart() {
        let (b, items, n) = normalize(syn::parse_quote!({
            fn helper() {}
            let x = f().await;
            helper()
        }))
        .unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(n, 1);
        assert_eq!(b.stmts.len(), 2);
    }
}
