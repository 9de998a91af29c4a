//! Phase 3a': gives shadowed locals names of their own.
//!
//! Input:  `async fn f(x: String) { let x = x.len(); g().await; x }`
//! Output: the parameter binds as `__shadowed_x_0`, its uses in `x.len()` follow; the second `x`
//!         stays `x`.
//!
//! A local that is shadowed while still in scope is still alive (it is dropped at the end of its
//! scope), so a suspension point after the shadowing may have to save it; the generated code must
//! name it, which the original name no longer does. Renamed bindings use mixed-site hygiene, so
//! they cannot clash with the user's names. Inline format arguments of the known macros
//! (`format!("{x}")`) get an explicit named argument (`x = __shadowed_x_N`). Uses inside opaque
//! macros are not renamed.

use std::collections::HashSet;

use proc_macro2::Span;
use syn::punctuated::Punctuated;
use syn::visit_mut::{self, VisitMut};
use syn::{Expr, Ident, Pat, Token};

use crate::liveness::pat_idents;
use crate::macros;

/// The prefix of renamed bindings.
pub const PREFIX: &str = "__shadowed_";

/// The name a renamed binding shows in diagrams.
pub fn display_name(ident: &Ident) -> String {
    let s = ident.to_string();
    match s.strip_prefix(PREFIX) {
        Some(rest) => rest
            .rsplit_once('_')
            .map(|(n, _)| n.to_string())
            .unwrap_or(rest.to_string()),
        None => s,
    }
}

/// Renames shadowed bindings of `params` (returned: the new idents, or `None`) and of the body.
pub fn rename(params: &[Option<Ident>], body: &mut syn::Block) -> Vec<Option<Ident>> {
    // Pass 1: find which bindings (numbered in traversal order) are shadowed in scope.
    let mut find = Walk {
        mode: Mode::Find(HashSet::new()),
        counter: 0,
        scopes: vec![Vec::new()],
        inner: Vec::new(),
        renamed: 0,
    };
    let mut param_out = Vec::new();
    for p in params {
        param_out.push(p.as_ref().and_then(|i| find.bind(i)));
    }
    let mut copy = body.clone();
    find.visit_block_mut(&mut copy);
    let Mode::Find(shadowed) = find.mode else {
        unreachable!()
    };
    if shadowed.is_empty() {
        return vec![None; params.len()];
    }
    // Pass 2: rename them and their uses.
    let mut ren = Walk {
        mode: Mode::Rename(shadowed),
        counter: 0,
        scopes: vec![Vec::new()],
        inner: Vec::new(),
        renamed: 0,
    };
    param_out.clear();
    for p in params {
        param_out.push(p.as_ref().and_then(|i| ren.bind(i)));
    }
    ren.visit_block_mut(body);
    param_out
}

enum Mode {
    Find(HashSet<usize>),
    Rename(HashSet<usize>),
}

struct Walk {
    mode: Mode,
    counter: usize,
    /// Our bindings per block scope: (name, number, new ident if renamed).
    scopes: Vec<Vec<(String, usize, Option<Ident>)>>,
    /// Bindings of closures, match arms, `if let`, `for`: they shadow ours inside.
    inner: Vec<HashSet<String>>,
    renamed: usize,
}

impl Walk {
    /// Declares a binding; returns its new ident if it is renamed.
    fn bind(&mut self, ident: &Ident) -> Option<Ident> {
        let name = crate::parse::field_name(ident);
        let n = self.counter;
        self.counter += 1;
        let mut new = None;
        match &mut self.mode {
            Mode::Find(set) => {
                for scope in &self.scopes {
                    for (other, num, _) in scope {
                        if *other == name {
                            set.insert(*num);
                        }
                    }
                }
            }
            Mode::Rename(set) => {
                if set.contains(&n) {
                    let i = Ident::new(
                        &format!("{PREFIX}{name}_{}", self.renamed),
                        Span::mixed_site().located_at(ident.span()),
                    );
                    self.renamed += 1;
                    new = Some(i);
                }
            }
        }
        if let Some(s) = self.scopes.last_mut() {
            s.push((name, n, new.clone()));
        }
        new
    }

    fn lookup(&self, name: &str) -> Option<Ident> {
        if self.inner.iter().any(|s| s.contains(name)) {
            return None;
        }
        for scope in self.scopes.iter().rev() {
            if let Some((_, _, new)) = scope.iter().rev().find(|(n, _, _)| n == name) {
                return new.clone();
            }
        }
        None
    }

    /// Inline format arguments (`"{x}"`, `"{:w$}"`) name locals inside a string, where renaming
    /// cannot reach: a renamed one gets an explicit named argument, `x = __shadowed_x_N`
    /// (without it, `{x}` would silently find another `x` in scope, the fn's parameter).
    fn rename_captures(&self, name: &str, args: &mut Punctuated<Expr, Token![,]>) {
        let Some(at) = macros::format_string_index(name) else {
            return;
        };
        let Some(Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(fmt),
            ..
        })) = args.iter().nth(at)
        else {
            return;
        };
        let explicit: HashSet<String> = args
            .iter()
            .filter_map(|a| match a {
                Expr::Assign(a) => match &*a.left {
                    Expr::Path(p) => p.path.get_ident().map(|i| i.to_string()),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        let span = fmt.span();
        let mut added = HashSet::new();
        for c in inline_captures(&fmt.value()) {
            if explicit.contains(&c) || !added.insert(c.clone()) {
                continue;
            }
            if let Some(new) = self.lookup(&c) {
                let name = Ident::new(&c, span);
                args.push(syn::parse_quote!(#name = #new));
            }
        }
    }

    fn inner_scope<F: FnOnce(&mut Self)>(&mut self, pats: &[&Pat], f: F) {
        let mut names = Vec::new();
        for p in pats {
            pat_idents(p, &mut names);
        }
        self.inner
            .push(names.into_iter().map(|(i, _, _)| i.to_string()).collect());
        f(self);
        self.inner.pop();
    }

    fn rename_pat(&mut self, p: &mut Pat) {
        match p {
            Pat::Ident(i) => {
                if let Some(sub) = &mut i.subpat {
                    self.rename_pat(&mut sub.1);
                }
                let s = i.ident.to_string();
                let binding = i.by_ref.is_some()
                    || i.mutability.is_some()
                    || !s.starts_with(|c: char| c.is_uppercase());
                if binding && let Some(new) = self.bind(&i.ident) {
                    i.ident = new;
                }
            }
            Pat::Tuple(t) => t.elems.iter_mut().for_each(|p| self.rename_pat(p)),
            Pat::TupleStruct(t) => t.elems.iter_mut().for_each(|p| self.rename_pat(p)),
            Pat::Struct(s) => {
                for f in s.fields.iter_mut() {
                    // `S { x }` shorthand: make it `S { x: <new> }` when renamed.
                    if f.colon_token.is_none()
                        && let syn::Member::Named(m) = &f.member
                    {
                        let m = m.clone();
                        self.rename_pat(&mut f.pat);
                        if !matches!(&*f.pat, Pat::Ident(pi) if pi.ident == m) {
                            f.colon_token = Some(Default::default());
                        }
                        continue;
                    }
                    self.rename_pat(&mut f.pat);
                }
            }
            Pat::Slice(s) => s.elems.iter_mut().for_each(|p| self.rename_pat(p)),
            Pat::Or(o) => {
                if let Some(first) = o.cases.first_mut() {
                    self.rename_pat(first);
                }
            }
            Pat::Reference(r) => self.rename_pat(&mut r.pat),
            Pat::Type(t) => self.rename_pat(&mut t.pat),
            Pat::Paren(p) => self.rename_pat(&mut p.pat),
            _ => {}
        }
    }
}

impl VisitMut for Walk {
    fn visit_block_mut(&mut self, b: &mut syn::Block) {
        self.scopes.push(Vec::new());
        for s in &mut b.stmts {
            self.visit_stmt_mut(s);
        }
        self.scopes.pop();
    }

    fn visit_local_mut(&mut self, l: &mut syn::Local) {
        if let Some(init) = &mut l.init {
            self.visit_expr_mut(&mut init.expr);
            if let Some((_, d)) = &mut init.diverge {
                self.visit_expr_mut(d);
            }
        }
        self.rename_pat(&mut l.pat);
    }

    fn visit_expr_mut(&mut self, e: &mut Expr) {
        match e {
            Expr::Path(p) if p.qself.is_none() && p.path.segments.len() == 1 => {
                let seg = &mut p.path.segments[0];
                if seg.arguments.is_none()
                    && let Some(new) = self.lookup(&seg.ident.to_string())
                {
                    seg.ident =
                        Ident::new(&new.to_string(), new.span().located_at(seg.ident.span()));
                }
            }
            Expr::Struct(s) => {
                // `S { x }` shorthand refers to the local `x`.
                for f in s.fields.iter_mut() {
                    if f.colon_token.is_none() {
                        if let syn::Member::Named(m) = &f.member
                            && let Some(new) = self.lookup(&m.to_string())
                        {
                            f.expr = syn::parse_quote!(#new);
                            f.colon_token = Some(Default::default());
                        }
                    } else {
                        self.visit_expr_mut(&mut f.expr);
                    }
                }
                if let Some(r) = &mut s.rest {
                    self.visit_expr_mut(r);
                }
            }
            Expr::Closure(c) => {
                let pats: Vec<Pat> = c.inputs.iter().cloned().collect();
                let refs: Vec<&Pat> = pats.iter().collect();
                self.inner_scope(&refs, |s| s.visit_expr_mut(&mut c.body));
            }
            Expr::Match(m) => {
                self.visit_expr_mut(&mut m.expr);
                for arm in &mut m.arms {
                    let pat = arm.pat.clone();
                    self.inner_scope(&[&pat], |s| {
                        if let Some((_, g)) = &mut arm.guard {
                            s.visit_expr_mut(g);
                        }
                        s.visit_expr_mut(&mut arm.body);
                    });
                }
            }
            Expr::If(i) => {
                // `if let` bindings are visible in the then-branch only.
                let mut pats = Vec::new();
                collect_let_pats(&i.cond, &mut pats);
                self.visit_expr_mut(&mut i.cond);
                let refs: Vec<&Pat> = pats.iter().collect();
                self.inner_scope(&refs, |s| s.visit_block_mut(&mut i.then_branch));
                if let Some((_, e)) = &mut i.else_branch {
                    self.visit_expr_mut(e);
                }
            }
            Expr::While(w) => {
                let mut pats = Vec::new();
                collect_let_pats(&w.cond, &mut pats);
                self.visit_expr_mut(&mut w.cond);
                let refs: Vec<&Pat> = pats.iter().collect();
                self.inner_scope(&refs, |s| s.visit_block_mut(&mut w.body));
            }
            Expr::ForLoop(f) => {
                self.visit_expr_mut(&mut f.expr);
                let pat = (*f.pat).clone();
                self.inner_scope(&[&pat], |s| s.visit_block_mut(&mut f.body));
            }
            Expr::Let(l) => self.visit_expr_mut(&mut l.expr),
            Expr::Macro(m) => self.visit_macro_mut(&mut m.mac),
            _ => visit_mut::visit_expr_mut(self, e),
        }
    }

    fn visit_macro_mut(&mut self, m: &mut syn::Macro) {
        if macros::is_select(m)
            && let Ok(mut sel) = macros::parse_select(m.tokens.clone())
        {
            // Preconditions and futures in the enclosing scope; a handler sees its pattern's
            // bindings.
            for b in &mut sel.branches {
                if let Some(c) = &mut b.cond {
                    self.visit_expr_mut(c);
                }
                if let Some(f) = &mut b.fut {
                    self.visit_expr_mut(f);
                }
                let pats: Vec<Pat> = b.pat.iter().cloned().collect();
                let refs: Vec<&Pat> = pats.iter().collect();
                self.inner_scope(&refs, |s| s.visit_expr_mut(&mut b.handler));
            }
            if matches!(self.mode, Mode::Rename(_)) {
                m.tokens = sel.to_tokens();
            }
            return;
        }
        if let Some(Ok(mut args)) = macros::parse_known(m) {
            for e in args.exprs_mut() {
                self.visit_expr_mut(e);
            }
            if matches!(self.mode, Mode::Rename(_)) {
                if let macros::MacroArgs::Exprs(p) = &mut args {
                    self.rename_captures(&macros::name(m), p);
                }
                m.tokens = args.to_tokens();
            }
        }
    }

    fn visit_stmt_macro_mut(&mut self, m: &mut syn::StmtMacro) {
        self.visit_macro_mut(&mut m.mac);
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

/// The names a format string captures from the scope: `{x}`, `{x:?}`, and `w` in `{:w$}`.
fn inline_captures(fmt: &str) -> Vec<String> {
    let is_ident = |s: &str| {
        s.starts_with(|c: char| c.is_alphabetic() || c == '_')
            && s.chars().all(|c| c.is_alphanumeric() || c == '_')
            && s != "_"
    };
    let mut out = Vec::new();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
            }
            '{' => {
                let mut inner = String::new();
                for c in chars.by_ref() {
                    if c == '}' {
                        break;
                    }
                    inner.push(c);
                }
                let (arg, spec) = inner.split_once(':').unwrap_or((&inner, ""));
                let arg = arg.trim();
                if is_ident(arg) {
                    out.push(arg.to_string());
                }
                // `width$` / `.prec$`: a name before a `$`.
                let mut word = String::new();
                for c in spec.chars() {
                    if c.is_alphanumeric() || c == '_' {
                        word.push(c);
                    } else {
                        if c == '$' && is_ident(&word) {
                            out.push(word.clone());
                        }
                        word.clear();
                    }
                }
            }
            _ => {}
        }
    }
    out
}

fn collect_let_pats(e: &Expr, out: &mut Vec<Pat>) {
    match e {
        Expr::Let(l) => out.push((*l.pat).clone()),
        Expr::Binary(b) => {
            collect_let_pats(&b.left, out);
            collect_let_pats(&b.right, out);
        }
        Expr::Paren(p) => collect_let_pats(&p.expr, out),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::{ToTokens, quote};

    #[test]
    fn finds_inline_format_captures() {
        assert_eq!(
            inline_captures("{x} {{y}} {0} {:?} {z:>w$.p$} {_a} {} {1:x$}"),
            ["x", "z", "w", "p", "_a", "x"]
        );
        assert!(inline_captures("{{}} plain").is_empty());
    }

    #[test]
    fn renames_shadowed_bindings_and_their_uses() {
        let mut b: syn::Block = syn::parse2(quote!({
            let y = x.len();
            let x = y + 1;
            let z = |x: u8| x;
            {
                let y = 2;
                y
            }
            x
        }))
        .unwrap();
        let x = Ident::new("x", Span::call_site());
        let out = rename(&[Some(x)], &mut b);
        let s = b.to_token_stream().to_string();
        assert_eq!(
            out[0].as_ref().map(|i| i.to_string()).as_deref(),
            Some("__shadowed_x_0")
        );
        assert!(
            s.contains("let __shadowed_y_1 = __shadowed_x_0 . len ()"),
            "{s}"
        );
        assert!(s.contains("let x = __shadowed_y_1 + 1"), "{s}");
        assert!(s.contains("{ let y = 2 ; y }"), "{s}");
        assert!(s.contains("| x : u8 | x"), "{s}");
        assert_eq!(
            display_name(&Ident::new("__shadowed_long_name_3", Span::call_site())),
            "long_name"
        );
    }
}
