//! Phase 3a: rewrites the parts of the body that mean something else once the body runs inside
//! the generated `poll` closure.
//!
//! Input:  `{ let n = self.n; let v = fetch(n).await?; if v > n { return 0; } v }`
//! Output: `{ let n = __self.n;
//!            let v = match Branch::branch(fetch(n).await) {
//!                Continue(v) => v, Break(r) => break '__body FromResidual::from_residual(r) };
//!            if v > n { break '__body 0; } v }`
//!
//! `self` cannot be rebound by `let`, so it becomes `__self` (also inside closures, async blocks
//! and macro arguments, which capture it). `return` and `?` would return from the closure, so
//! they break out of the labelled block `'__body` that holds the body; closures, async blocks
//! and nested items keep their own `return` and `?`.

use proc_macro2::{Group, Span, TokenStream, TokenTree};
use quote::{ToTokens, quote, quote_spanned};
use syn::visit_mut::{self, VisitMut};
use syn::{Expr, Ident, Lifetime};

use crate::macros;

/// What the rewrite found.
#[derive(Default, Debug, Clone, Copy)]
pub struct Found {
    /// The body uses `?` (outside closures and async blocks).
    pub question: bool,
    /// The body uses `return`.
    pub returns: bool,
}

/// The name of [`body_label`]: a `break` to it is the fn's `return`.
pub const BODY_LABEL: &str = "__body";

/// The label of the block holding the body.
pub fn body_label() -> Lifetime {
    Lifetime::new(&format!("'{BODY_LABEL}"), user_edition(Span::mixed_site()))
}

/// Whether a `break` with `label` is the fn's `return` (`break '__body v`).
pub(crate) fn returns(label: Option<&syn::Lifetime>) -> bool {
    label.is_some_and(|l| l.ident == BODY_LABEL)
}

thread_local! {
    /// Before edition 2024: a span of the user's code, whose edition the generated blocks that
    /// hold the user's code take (see [`user_edition`]).
    static USER_EDITION: std::cell::Cell<Option<Span>> = const { std::cell::Cell::new(None) };
}

/// Sets (before edition 2024) or clears the span whose edition [`user_edition`] gives.
pub fn set_user_edition(span: Option<Span>) {
    USER_EDITION.with(|u| u.set(span));
}

/// `span`, resolved (hygiene and edition) at the user's code before edition 2024. rustc reads
/// the edition of a block's tail-expression scope from the block's span (a labelled block's
/// starts at its label): before 2024 the temporaries of a tail drop after the block's locals,
/// from 2024 before them. The braces and labels this macro writes carry its own crate's edition
/// (2024); those of the blocks that hold the user's code (the body, branches, arms, loop bodies,
/// nested blocks) take the user's, so their tails drop as in the fn as written.
pub fn user_edition(span: Span) -> Span {
    match USER_EDITION.with(std::cell::Cell::get) {
        Some(u) => span.resolved_at(u),
        None => span,
    }
}

/// The name `self` is renamed to.
pub fn self_ident(span: Span) -> Ident {
    Ident::new("__self", span)
}

/// Rewrites `block` in place. `private` is the path of the runtime's `__private` module;
/// `params` the names the fn's parameters bind (`self` included).
pub fn rewrite(
    block: &mut syn::Block,
    private: &TokenStream,
    params: &[String],
) -> syn::Result<Found> {
    // Every name a pattern of the fn binds: the locals a `select!` branch could move.
    struct Bound(std::collections::HashSet<String>);
    impl<'a> syn::visit::Visit<'a> for Bound {
        fn visit_pat_ident(&mut self, p: &'a syn::PatIdent) {
            // `None`, `Quit`, `MAX` in a pattern name a unit variant or a constant (a binding
            // is snake_case; rustc warns otherwise).
            let name = p.ident.to_string();
            if !name.starts_with(|c: char| c.is_uppercase()) {
                self.0.insert(name);
            }
            syn::visit::visit_pat_ident(self, p);
        }
    }
    let mut bound = Bound(params.iter().cloned().collect());
    syn::visit::Visit::visit_block(&mut bound, block);
    let mut r = Rewriter {
        private,
        depth: 0,
        found: Found::default(),
        errors: None,
        locals: bound.0,
        selects: 0,
    };
    r.visit_block_mut(block);
    match r.errors {
        Some(e) => Err(e),
        None => Ok(r.found),
    }
}

struct Rewriter<'a> {
    private: &'a TokenStream,
    /// > 0 inside closures and async blocks: `return` and `?` are theirs.
    depth: usize,
    found: Found,
    errors: Option<syn::Error>,
    /// The names the fn's parameters and patterns bind.
    locals: std::collections::HashSet<String>,
    /// `select!`s whose handlers leave them so far (each gets an enum of its own, `__Flow<n>`,
    /// set apart at the fn's level with the body's other items).
    selects: usize,
}

impl Rewriter<'_> {
    fn error(&mut self, e: syn::Error) {
        match &mut self.errors {
            Some(all) => all.combine(e),
            None => self.errors = Some(e),
        }
    }

    /// `join!(..)`, `select! { .. }`: they await inside their expansion, where this macro
    /// cannot see; each is awaited as one future, `async { join!(..) }.await` (one state,
    /// labelled with the macro). The `async` block changes what leaving means, so a `return`,
    /// `?`, or `break`/`continue` out of it is refused; it takes what a `select!` branch moves
    /// when it starts (natively only the branch taken moves it, else it drops at the end of its
    /// scope), so each such value must be `Copy` (checked at compile time).
    fn await_macro(&mut self, m: &syn::ExprMacro) -> syn::Result<Expr> {
        let name = macros::name(&m.mac);
        let span = macros::name_span(&m.mac).unwrap_or_else(Span::call_site);
        let refuse = |word: String, at: Span, place: &str| {
            let instead = if word == "break" || word == "continue" {
                format!(
                    "let `{name}!` produce a value and act on it after: `let stop = {name}! {{ .. => true, .. }}; if stop {{ {word}; }}`"
                )
            } else {
                format!(
                    "let `{name}!` produce a value (a `Result` or an `Option`) and act on it after: `let r = {name}! {{ .. }}; let v = r?;`"
                )
            };
            syn::Error::new(
                at,
                format!(
                    "#[state_machine] awaits `{name}!` as one future, `async {{ {name}! .. }}.await` (it awaits inside its expansion, which the lowering cannot see), where `{word}`{place} would leave only that block; {instead}"
                ),
            )
        };
        // A `select!` handler runs in the fn (natively it may `return`, `?`, `break` or
        // `continue`): each such exit becomes a value of the block, acted on after it.
        let mut mac = m.mac.clone();
        let mut exits = None;
        if macros::is_select(&m.mac)
            && let Ok(mut select) = macros::parse_select(m.mac.tokens.clone())
        {
            if let Some((word, at)) = select.leaving_outside_handlers() {
                return Err(refuse(word, at, " in a branch's future or condition"));
            }
            let flow = Ident::new(&format!("__Flow{}", self.selects), Span::mixed_site());
            let mut ex = BlockExits::new(&flow, self.private);
            for b in &mut select.branches {
                ex.visit_expr_mut(&mut b.handler);
            }
            if let Some(e) = ex.error.take() {
                return Err(e);
            }
            if ex.any() {
                mac.tokens = select.to_tokens();
                exits = Some(ex);
                self.selects += 1;
            }
        } else if let Some((word, at)) = macros::leaving_token(&m.mac.tokens) {
            return Err(refuse(word, at, ""));
        }
        let p = self.private;
        let mut checks = Vec::new();
        if macros::is_select(&m.mac) {
            let select = macros::parse_select(m.mac.tokens.clone()).map_err(|e| {
                syn::Error::new(
                    e.span(),
                    format!("#[state_machine] could not read the branches of this `{name}!` (`pattern = future => handler, ..`): {e}; await it in an `async` block of your own (`async {{ {name}! {{ .. }} }}.await`)"),
                )
            })?;
            for b in &select.branches {
                let moved = crate::liveness::moved_names(b.pat.as_ref(), &b.handler);
                let mut idents = Vec::new();
                macros::token_idents(&b.handler.to_token_stream(), &mut idents);
                // Paths that name no local (`None`, a constant, a fn) move nothing of the fn.
                for moved in moved.into_iter().filter(|n| self.locals.contains(n)) {
                    let at = idents
                        .iter()
                        .find(|i| *i == &moved)
                        .map_or(span, proc_macro2::Ident::span);
                    let id = if moved == "self" {
                        self_ident(at)
                    } else {
                        Ident::new(&moved, at)
                    };
                    checks.push(quote_spanned! {at=>
                        #p::moved_in_select_branch((&#p::CopyProbe(&#id)).select_check());
                    });
                }
            }
        }
        let mac = &mac;
        let attrs = &m.attrs;
        let uses = (!checks.is_empty()).then(
            || quote!(#[allow(unused_imports)] use #p::{ProbeIsCopy as _, ProbeNotCopy as _};),
        );
        let Some(ex) = exits else {
            let block: Expr = syn::parse2(quote_spanned!(span=> async { #uses #(#checks)* #mac }))?;
            return Ok(Expr::Await(syn::ExprAwait {
                attrs: attrs.clone(),
                base: Box::new(block),
                dot_token: syn::Token![.](span),
                await_token: syn::Token![await](span),
            }));
        };
        let tokens = ex.block(
            quote!(#uses #(#checks)*),
            quote!(#mac),
            quote!(return),
            span,
        );
        let mut block: Expr = syn::parse2(tokens)?;
        if let Expr::Block(b) = &mut block {
            b.attrs = attrs.clone();
        }
        Ok(block)
    }

    fn rewrite_macro(&mut self, mac: &mut syn::Macro) {
        if let Some(parsed) = macros::parse_known(mac) {
            match parsed {
                Ok(mut args) => {
                    for e in args.exprs_mut() {
                        self.visit_expr_mut(e);
                    }
                    mac.tokens = args.to_tokens();
                }
                Err(_) => mac.tokens = rename_self_tokens(mac.tokens.clone()),
            }
        } else {
            mac.tokens = rename_self_tokens(mac.tokens.clone());
        }
    }
}

/// `e?` as the lowering writes it, `match Branch::branch(e) { Continue(v) => v, Break(r) =>
/// <leave> (FromResidual::from_residual(r)) }`, where `leave` is `break '__body` (the fn's
/// `return`) or `break '__flow __Flow::Return`.
fn question(private: &TokenStream, t: &syn::ExprTry, leave: TokenStream) -> Expr {
    let (inner, span) = (&t.expr, t.question_token.span);
    let v = Ident::new("__v", Span::mixed_site());
    let r = Ident::new("__r", Span::mixed_site());
    let cf = quote_spanned!(span=> ::core::ops::ControlFlow);
    expr(quote_spanned! {span=>
        match #private::Branch::branch(#inner) {
            #cf::Continue(#v) => #v,
            #cf::Break(#r) => #leave (#private::FromResidual::from_residual(#r)),
        }
    })
}

/// Tokens of ours around user expressions already parsed, as an expression: if they ever
/// failed to parse, kept verbatim (rustc then reports), never a panic.
fn expr(tokens: TokenStream) -> Expr {
    syn::parse2(tokens.clone()).unwrap_or(Expr::Verbatim(tokens))
}

/// The label of the block inside the `async` block a `select!` or a `for` loop is awaited in,
/// that [`BlockExits`] leaves with a `__Flow` value (a `break` to it, not a `return`: the
/// wrapper of an awaitee writes such a block inline, one future instead of two).
pub(crate) const FLOW_LABEL: &str = "__flow";

fn flow_label() -> Lifetime {
    Lifetime::new(&format!("'{FLOW_LABEL}"), Span::mixed_site())
}

/// A way a `select!` handler leaves the `select!` other than with its value.
enum Exit {
    /// `break ['l] [value]`: the label and whether it has a value.
    Break(Option<Lifetime>, bool),
    /// `continue ['l]`.
    Continue(Option<Lifetime>),
}

impl Exit {
    fn variant(&self, k: usize) -> Ident {
        let word = match self {
            Exit::Break(..) => "Break",
            Exit::Continue(_) => "Continue",
        };
        Ident::new(&format!("{word}{k}"), Span::mixed_site())
    }

    fn same(&self, other: &Exit) -> bool {
        let name = |l: &Option<Lifetime>| l.as_ref().map(|l| l.ident.to_string());
        match (self, other) {
            (Exit::Break(a, x), Exit::Break(b, y)) => name(a) == name(b) && x == y,
            (Exit::Continue(a), Exit::Continue(b)) => name(a) == name(b),
            _ => false,
        }
    }
}

/// Rewrites the `return`, `?` (or, after the rewrite, `break '__body`), `break` and `continue`
/// of code awaited as one future that leave it (not those of its own loops, closures and
/// `async` blocks) into `break '__flow __Flow::..` out of the block it is awaited in: the
/// handlers of a `select!`, a `for` loop whose iterator borrows a kept local (see
/// `normalize`). [`BlockExits::block`] writes that block and acts on the value after it.
pub(crate) struct BlockExits<'a> {
    flow: Ident,
    /// `'__flow`, see [`FLOW_LABEL`].
    out: Lifetime,
    private: &'a TokenStream,
    /// Loops inside the handler around the current point.
    loops: usize,
    /// Labels of the loops and blocks inside the handler around the current point.
    labels: Vec<String>,
    returns: bool,
    exits: Vec<Exit>,
    error: Option<syn::Error>,
}

impl<'a> BlockExits<'a> {
    pub(crate) fn new(flow: &Ident, private: &'a TokenStream) -> Self {
        BlockExits {
            flow: flow.clone(),
            out: flow_label(),
            private,
            loops: 0,
            labels: Vec::new(),
            returns: false,
            exits: Vec::new(),
            error: None,
        }
    }

    /// The first error met (a leaving token in a macro it cannot see into).
    pub(crate) fn take_error(&mut self) -> Option<syn::Error> {
        self.error.take()
    }

    /// Whether anything leaves (else the block is not needed).
    pub(crate) fn any(&self) -> bool {
        self.returns || !self.exits.is_empty()
    }

    /// `{ enum __Flow<V, R, B0> { Value(V), Return(R), Break0(B0), Continue1 }
    ///    match async { <inner: its value> }.await { __Flow::Value(v) => v,
    ///    __Flow::Return(r) => <ret> r, __Flow::Break0(b) => break 'l b, .. } }`, with the
    /// variants used only (a type parameter nothing gives would not be inferred); `prefix`
    /// is statements of the `async` block before `value`.
    pub(crate) fn block(
        &self,
        prefix: TokenStream,
        value: TokenStream,
        ret: TokenStream,
        span: Span,
    ) -> TokenStream {
        let flow = &self.flow;
        let ms = Span::mixed_site();
        let (mut params, mut variants, mut arms) = (
            vec![Ident::new("__V", ms)],
            vec![quote!(Value(__V))],
            vec![quote!(#flow::Value(__v) => __v,)],
        );
        if self.returns {
            params.push(Ident::new("__R", ms));
            variants.push(quote!(Return(__R)));
            arms.push(quote!(#flow::Return(__r) => #ret __r,));
        }
        for (k, exit) in self.exits.iter().enumerate() {
            let (word, label, value) = match exit {
                Exit::Break(l, v) => (quote!(break), l, *v),
                Exit::Continue(l) => (quote!(continue), l, false),
            };
            let variant = exit.variant(k);
            if value {
                let t = Ident::new(&format!("__B{k}"), ms);
                variants.push(quote!(#variant(#t)));
                params.push(t);
                arms.push(quote!(#flow::#variant(__b) => #word #label __b,));
            } else {
                variants.push(quote!(#variant));
                arms.push(quote!(#flow::#variant => #word #label,));
            }
        }
        let out = &self.out;
        quote_spanned! {span=>
            {
                enum #flow<#(#params),*> { #(#variants),* }
                match async { #prefix #out: { #flow::Value(#value) } }.await {
                    #(#arms)*
                }
            }
        }
    }

    /// `return v`: `break '__flow __Flow::Return(v)`.
    fn returning(&mut self, value: &mut Option<Box<Expr>>, at: Span) -> Expr {
        if let Some(v) = value {
            self.visit_expr_mut(v);
        }
        self.returns = true;
        let (flow, out) = (&self.flow, &self.out);
        let v = value.as_ref().map_or_else(|| quote!(()), |v| quote!(#v));
        expr(quote_spanned!(at=> break #out #flow::Return(#v)))
    }

    fn exit(&mut self, exit: Exit) -> Ident {
        let k = match self.exits.iter().position(|e| e.same(&exit)) {
            Some(k) => k,
            None => {
                self.exits.push(exit);
                self.exits.len() - 1
            }
        };
        self.exits[k].variant(k)
    }

    fn inner(&self, label: Option<&Lifetime>) -> bool {
        match label {
            Some(l) => self.labels.contains(&l.ident.to_string()),
            None => self.loops > 0,
        }
    }

    fn in_loop(&mut self, label: Option<&syn::Label>, body: &mut syn::Block) {
        if let Some(l) = label {
            self.labels.push(l.name.ident.to_string());
        }
        self.loops += 1;
        self.visit_block_mut(body);
        self.loops -= 1;
        if label.is_some() {
            self.labels.pop();
        }
    }
}

impl VisitMut for BlockExits<'_> {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        match e {
            Expr::Closure(_) | Expr::Async(_) | Expr::Const(_) => {}
            Expr::Loop(l) => self.in_loop(l.label.as_ref(), &mut l.body),
            Expr::While(w) => {
                self.visit_expr_mut(&mut w.cond);
                self.in_loop(w.label.as_ref(), &mut w.body);
            }
            Expr::ForLoop(f) => {
                self.visit_expr_mut(&mut f.expr);
                self.in_loop(f.label.as_ref(), &mut f.body);
            }
            Expr::Block(b) if b.label.is_some() => {
                let l = b.label.as_ref().map(|l| l.name.ident.to_string());
                self.labels.extend(l);
                self.visit_block_mut(&mut b.block);
                self.labels.pop();
            }
            Expr::Try(t) => {
                self.visit_expr_mut(&mut t.expr);
                self.returns = true;
                let (flow, out) = (&self.flow, &self.out);
                *e = question(self.private, t, quote!(break #out #flow::Return));
            }
            Expr::Return(r) => *e = self.returning(&mut r.expr, r.return_token.span),
            // A `return v` as the rewrite writes it.
            Expr::Break(b) if returns(b.label.as_ref()) => {
                *e = self.returning(&mut b.expr, b.break_token.span);
            }
            Expr::Break(b) => {
                if let Some(v) = &mut b.expr {
                    self.visit_expr_mut(v);
                }
                if !self.inner(b.label.as_ref()) {
                    let variant = self.exit(Exit::Break(b.label.clone(), b.expr.is_some()));
                    let (flow, out, at) = (&self.flow, &self.out, b.break_token.span);
                    *e = match &b.expr {
                        Some(v) => expr(quote_spanned!(at=> break #out #flow::#variant(#v))),
                        None => expr(quote_spanned!(at=> break #out #flow::#variant)),
                    };
                }
            }
            Expr::Continue(c) => {
                if !self.inner(c.label.as_ref()) {
                    let variant = self.exit(Exit::Continue(c.label.clone()));
                    let (flow, out, at) = (&self.flow, &self.out, c.continue_token.span);
                    *e = expr(quote_spanned!(at=> break #out #flow::#variant));
                }
            }
            Expr::Macro(m) => self.visit_macro_mut(&mut m.mac),
            _ => visit_mut::visit_expr_mut(self, e),
        }
    }

    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        let mut error = |at: Span, word: &str, what: &str| {
            let e = syn::Error::new(
                at,
                format!(
                    "#[state_machine] cannot lower a `{word}` {what} inside a `select!` handler, where it would leave the block the `select!` is awaited in; bind the value first"
                ),
            );
            match &mut self.error {
                Some(all) => all.combine(e),
                None => self.error = Some(e),
            }
        };
        // A `select!` inside a handler runs in it: its own handlers' exits are the outer
        // one's (rewritten the same way); its futures and conditions may not leave.
        if macros::is_select(mac)
            && let Ok(mut select) = macros::parse_select(mac.tokens.clone())
        {
            if let Some((word, at)) = select.leaving_outside_handlers() {
                error(
                    at,
                    &word,
                    "in a branch's future or condition of a `select!`",
                );
                return;
            }
            for b in &mut select.branches {
                self.visit_expr_mut(&mut b.handler);
            }
            mac.tokens = select.to_tokens();
            return;
        }
        // The known macros' arguments are expressions; another macro's tokens are not
        // visible: a leaving token there is refused.
        if !macros::is_awaiting(mac) && macros::parse_known(mac).is_some_and(|r| r.is_ok()) {
            macros::visit_args_mut(mac, |a| self.visit_expr_mut(a));
        } else if let Some((word, at)) = macros::leaving_token(&mac.tokens) {
            error(at, &word, "in a macro it cannot see into");
        }
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

/// `self` → `__self` in opaque tokens, except `self::path`.
fn rename_self_tokens(tokens: TokenStream) -> TokenStream {
    let tts: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = Vec::with_capacity(tts.len());
    for (i, tt) in tts.iter().enumerate() {
        match tt {
            TokenTree::Ident(id) if id == "self" => {
                let path_follows =
                    matches!(tts.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == ':');
                if path_follows {
                    out.push(tt.clone());
                } else {
                    out.push(TokenTree::Ident(self_ident(id.span())));
                }
            }
            TokenTree::Group(g) => {
                let mut ng = Group::new(g.delimiter(), rename_self_tokens(g.stream()));
                ng.set_span(g.span());
                out.push(TokenTree::Group(ng));
            }
            _ => out.push(tt.clone()),
        }
    }
    out.into_iter().collect()
}

impl VisitMut for Rewriter<'_> {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        match e {
            Expr::Path(p) if p.qself.is_none() && p.path.is_ident("self") => {
                let span = p.path.segments[0].ident.span();
                p.path.segments[0].ident = self_ident(span);
            }
            Expr::Closure(_) | Expr::Async(_) => {
                self.depth += 1;
                visit_mut::visit_expr_mut(self, e);
                self.depth -= 1;
            }
            Expr::Return(r) if self.depth == 0 => {
                self.found.returns = true;
                if let Some(v) = &mut r.expr {
                    self.visit_expr_mut(v);
                }
                // `return v` → `break '__body v`, built directly (no parsing, no panic path).
                // A block or loop without a label as `v` is parenthesised: `break 'l { .. }`
                // reads like `break` with a labelled value, and rustc warns
                // (`break_with_label_and_loop`).
                let value = r.expr.take().map(|v| match *v {
                    Expr::Block(syn::ExprBlock { label: None, .. })
                    | Expr::Loop(syn::ExprLoop { label: None, .. })
                    | Expr::While(syn::ExprWhile { label: None, .. })
                    | Expr::ForLoop(syn::ExprForLoop { label: None, .. }) => {
                        Box::new(Expr::Paren(syn::ExprParen {
                            attrs: Vec::new(),
                            paren_token: Default::default(),
                            expr: v,
                        }))
                    }
                    _ => v,
                });
                *e = Expr::Break(syn::ExprBreak {
                    attrs: std::mem::take(&mut r.attrs),
                    break_token: syn::Token![break](r.return_token.span),
                    label: Some(body_label()),
                    expr: value,
                });
            }
            Expr::Try(t) if self.depth == 0 => {
                self.found.question = true;
                self.visit_expr_mut(&mut t.expr);
                let label = body_label();
                *e = question(self.private, t, quote!(break #label));
            }
            Expr::Macro(m) if self.depth == 0 && macros::is_awaiting(&m.mac) => {
                match self.await_macro(m) {
                    Ok(awaited) => {
                        *e = awaited;
                        self.visit_expr_mut(e);
                    }
                    Err(err) => self.error(err),
                }
            }
            Expr::Macro(m) if self.depth == 0 => match macros::lazy_form(&m.mac) {
                Some(Ok(lowered)) => {
                    *e = lowered;
                    self.visit_expr_mut(e);
                }
                Some(Err(err)) => self.error(err),
                None => self.rewrite_macro(&mut m.mac),
            },
            Expr::Macro(m) => self.rewrite_macro(&mut m.mac),
            _ => visit_mut::visit_expr_mut(self, e),
        }
    }

    fn visit_block_mut(&mut self, b: &mut syn::Block) {
        // `select! { .. }` as a statement: an expression statement, so that it can become
        // `async { select! { .. } }.await` (a tail stays the block's value); so is an
        // assertion rewritten to an `if` (`macros::lazy_form`).
        if self.depth == 0 {
            let n = b.stmts.len();
            for (i, st) in b.stmts.iter_mut().enumerate() {
                if let syn::Stmt::Macro(m) = st
                    && (macros::is_awaiting(&m.mac) || macros::lazy_form(&m.mac).is_some())
                {
                    let semi = m.semi_token.or_else(|| (i + 1 < n).then(Default::default));
                    let e = Expr::Macro(syn::ExprMacro {
                        attrs: std::mem::take(&mut m.attrs),
                        mac: m.mac.clone(),
                    });
                    *st = syn::Stmt::Expr(e, semi);
                }
            }
        }
        visit_mut::visit_block_mut(self, b);
    }

    fn visit_stmt_macro_mut(&mut self, m: &mut syn::StmtMacro) {
        self.rewrite_macro(&mut m.mac);
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {
        // Nested items have their own `self`, `return` and `?`.
    }

    fn visit_expr_const_mut(&mut self, _: &mut syn::ExprConst) {}

    fn visit_macro_mut(&mut self, m: &mut syn::Macro) {
        self.rewrite_macro(m);
    }

    fn visit_expr_unsafe_mut(&mut self, u: &mut syn::ExprUnsafe) {
        if let Some(span) = crate::normalize::first_await(&Expr::Unsafe(u.clone())) {
            self.error(syn::Error::new(
                span,
                // SAFETY: (no unsafe code here: `unsafe` is a word of the message below)
                "#[state_machine] does not lower an `.await` inside an `unsafe` block: the lowered code would move the await out of it; await outside the block: `let v = fut.await; unsafe { .. v .. }`",
            ));
        }
        visit_mut::visit_expr_unsafe_mut(self, u);
    }
}

/// Renders tokens as compact source text (`fetch(n)` rather than `fetch (n)`), for labels:
/// spacing as in the source when the spans carry positions, else a heuristic.
pub fn compact(tokens: &impl ToTokens) -> String {
    let tokens = tokens.to_token_stream();
    if let Some(text) = from_positions(&tokens) {
        return text;
    }
    heuristic(&tokens.to_string())
}

/// Text with the source's spacing, from token positions; `None` when positions are missing.
fn from_positions(tokens: &TokenStream) -> Option<String> {
    fn walk(
        ts: &TokenStream,
        out: &mut Vec<(proc_macro2::LineColumn, proc_macro2::LineColumn, String)>,
    ) {
        for tt in ts.clone() {
            match &tt {
                TokenTree::Group(g) => {
                    let (open, close) = match g.delimiter() {
                        proc_macro2::Delimiter::Parenthesis => ("(", ")"),
                        proc_macro2::Delimiter::Brace => ("{", "}"),
                        proc_macro2::Delimiter::Bracket => ("[", "]"),
                        proc_macro2::Delimiter::None => ("", ""),
                    };
                    if !open.is_empty() {
                        let o = g.span_open();
                        out.push((o.start(), o.end(), open.to_string()));
                    }
                    walk(&g.stream(), out);
                    if !close.is_empty() {
                        let c = g.span_close();
                        out.push((c.start(), c.end(), close.to_string()));
                    }
                }
                _ => {
                    let sp = tt.span();
                    out.push((sp.start(), sp.end(), tt.to_string()));
                }
            }
        }
    }
    let mut parts = Vec::new();
    walk(tokens, &mut parts);
    if parts.is_empty() || parts.iter().any(|(s, _, _)| s.line == 0) {
        return None;
    }
    // Positions must increase, or the tokens were rearranged (generated code).
    if parts.windows(2).any(|w| {
        (w[1].0.line, w[1].0.column) < (w[0].1.line, w[0].1.column)
            || (w[1].0.line, w[1].0.column) <= (w[0].0.line, w[0].0.column)
    }) {
        return None;
    }
    let mut out = String::new();
    for (i, (start, _, text)) in parts.iter().enumerate() {
        if i > 0 {
            let prev_end = parts[i - 1].1;
            if (start.line, start.column) != (prev_end.line, prev_end.column) {
                out.push(' ');
            }
        }
        out.push_str(text);
    }
    Some(out)
}

fn heuristic(raw: &str) -> String {
    let chars: Vec<char> = raw.chars().collect();
    let mut out = String::with_capacity(raw.len());
    let mut turbofish = 0usize;
    for (i, &c) in chars.iter().enumerate() {
        if c == '<' && i >= 2 && chars[i - 1] == ' ' && chars[i - 2] == ':' {
            turbofish += 1;
        }
        if c == ' ' {
            if turbofish > 0 && (chars.get(i + 1) == Some(&'>') || (i > 0 && chars[i - 1] == '<')) {
                if chars.get(i + 1) == Some(&'>') {
                    turbofish -= 1;
                }
                continue;
            }
            let prev = if i > 0 { chars[i - 1] } else { ' ' };
            let prev2 = if i > 1 { chars[i - 2] } else { ' ' };
            let next = chars.get(i + 1).copied().unwrap_or(' ');
            let next2 = chars.get(i + 2).copied().unwrap_or(' ');
            let word: String = chars[..i]
                .iter()
                .rev()
                .take_while(|c| c.is_alphanumeric() || **c == '_')
                .collect();
            let keyword =
                ["fi", "elihw", "hctam", "nruter", "ni", "tel", "esle"].contains(&word.as_str());
            let before = matches!(next, '(' | ')' | '.' | ',' | '?' | ']' | '[' | ';')
                || (next == '!' && (prev.is_alphanumeric() || prev == '_') && !keyword)
                || (next == ':' && next2 == ':')
                || (next == ':' && prev != ':');
            let after = (matches!(prev, '(' | '.' | '[' | '&') && !(prev == '&' && prev2 == '&'))
                || (prev == '!' && !matches!(next, '='))
                || (prev == ':' && prev2 == ':');
            if before || after {
                continue;
            }
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(block: TokenStream) -> String {
        let mut b: syn::Block = syn::parse2(block).unwrap();
        rewrite(&mut b, &quote!(::awaitgraph::__private), &[]).unwrap();
        b.to_token_stream().to_string()
    }

    #[test]
    fn self_return_and_question() {
        let s = run(quote!({
            let n = self.n;
            let v = f(n).await?;
            if v > 1 {
                return 0;
            }
            v
        }));
        assert!(s.contains("__self . n"), "{s}");
        assert!(s.contains("break '__body 0"), "{s}");
        assert!(s.contains("Branch :: branch (f (n) . await)"), "{s}");
        assert!(!s.contains("return"), "{s}");
    }

    #[test]
    fn returned_blocks_and_loops_are_parenthesised() {
        let s = run(quote!({
            if c {
                return {
                    'l: loop {
                        break 'l 1;
                    }
                };
            }
            return loop {
                break 2;
            };
        }));
        assert!(s.contains("break '__body ({ 'l : loop"), "{s}");
        assert!(s.contains("break '__body (loop {"), "{s}");
    }

    #[test]
    fn closures_keep_their_return_but_rename_self() {
        let s = run(quote!({
            let c = || {
                return self.x?;
            };
            println!("{}", self.y);
            self::f()
        }));
        assert!(s.contains("return __self . x ?"), "{s}");
        assert!(s.contains("__self . y"), "{s}");
        assert!(s.contains("self :: f"), "{s}");
    }

    #[test]
    fn compact_text() {
        assert_eq!(compact(&quote!(fetch(n))), "fetch(n)");
        assert_eq!(
            compact(&quote!(self.conn.read(&mut buf))),
            "self.conn.read(&mut buf)"
        );
        assert_eq!(compact(&quote!(a::b::<u8>(x, y))), "a::b::<u8>(x, y)");
    }
}
