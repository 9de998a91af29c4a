//! Phase 5: the explicit enum-and-poll future.
//!
//! Input:  the normalized body and its [`Analysis`].
//! Output (abridged, for `async fn demo(n: u64) -> usize { let a = f(n).await; a + n }`):
//! ```text
//! fn demo(n: u64) -> impl Future<Output = usize> {
//!     enum __State<N, Fut0> { Unresumed { n: N }, Returned, Panicked, Suspend0 { __awaitee: Fut0, n: N } }
//!     let __step = move |__s: &mut __State<_, _>, __cx: &mut Context<'_>| -> Poll<_> {
//!         '__poll: loop {
//!             match unsafe { &mut *__sp } {
//!                 __State::Unresumed { .. } => { let (n,) = take Unresumed;
//!                     let __ret: usize = '__body: { let n = n;
//!                         let __awaitee = IntoFuture::into_future(f(n));
//!                         *__s = __State::Suspend0 { __awaitee, n }; continue '__poll; };
//!                     *__s = __State::Returned; return Poll::Ready(__ret); }
//!                 __State::Suspend0 { __awaitee, n } => { let __out = ready!(poll awaitee in place);
//!                     let (n,) = take; vacate (drop the awaitee in place);
//!                     let __ret: usize = '__body: { let n = n; let a = __out; a + n };
//!                     *__s = __State::Returned; return Poll::Ready(__ret); }
//!                 __State::Returned => resumed_after_completion(),
//!                 __State::Panicked => resumed_after_panicking(),
//!             }
//!         }
//!     };
//!     unsafe { Machine::new(__State::Unresumed { n }, __step) }
//! }
//! ```

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::Ident;

use crate::config::Config;
use crate::liveness::{Analysis, LocalId, Origin};
use crate::normalize::{Bind, Block, Head, Stmt};
use crate::parse::{AsyncFn, ParamKind};
use crate::rewrite::body_label;

/// How a segment of code (from a state's entry to the next suspension) can leave the body early.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Exits {
    /// Contains a `return`.
    pub returns: bool,
    /// Contains a `?`.
    pub question: bool,
    /// Runs to the end of the body.
    pub completes: bool,
}

/// The generated fn and what each state's code can do.
pub struct Generated {
    /// The rewritten fn, without its outer attributes (see [`AsyncFn::attrs`]).
    pub tokens: TokenStream,
    /// Per entry (`0` = Unresumed, `k + 1` = after await `k`): the exits of its segment.
    pub exits: Vec<Exits>,
}

struct Ctx<'a> {
    p: TokenStream,
    analysis: &'a Analysis,
    /// Path of block statement indices from the body to each await.
    paths: Vec<Vec<usize>>,
    exits: Exits,
}

fn label_poll() -> syn::Lifetime {
    syn::Lifetime::new("'__poll", Span::mixed_site())
}

fn ms(name: &str) -> Ident {
    Ident::new(name, Span::mixed_site())
}

fn find_paths(b: &Block, prefix: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
    for (i, s) in b.stmts.iter().enumerate() {
        prefix.push(i);
        match s {
            Stmt::Await(a) => {
                if out.len() <= a.index {
                    out.resize_with(a.index + 1, Vec::new);
                }
                out[a.index] = prefix.clone();
            }
            Stmt::Nested { block, .. } => find_paths(block, prefix, out),
            _ => {}
        }
        prefix.pop();
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

impl Ctx<'_> {
    fn local(&self, id: LocalId) -> &crate::liveness::Local {
        &self.analysis.locals[id.0]
    }

    /// `let [mut] x = x;` for each local restored at `level` after await `k`.
    fn restores(&self, k: usize, level: usize) -> TokenStream {
        let s = &self.analysis.suspensions[k];
        let mut ids: Vec<LocalId> = s.saved.get(level).cloned().unwrap_or_default();
        for (id, l) in s.returned.iter().zip(&s.returned_levels) {
            if *l == level {
                ids.push(*id);
            }
        }
        ids.sort();
        let mut out = TokenStream::new();
        for id in ids {
            let l = self.local(id);
            let ident = &l.ident;
            let field = &l.field;
            let m = l.mutable.then(|| quote!(mut));
            out.extend(quote!(let #m #ident = #field;));
        }
        out
    }

    /// Emits statements from `start` until the block ends or suspends. `root`: `b` is the
    /// body, so reaching its end completes the future.
    fn emit_from(&mut self, b: &Block, start: usize, root: bool) -> TokenStream {
        let mut out = TokenStream::new();
        for s in &b.stmts[start..] {
            match s {
                Stmt::Code(c) => {
                    let t = c.to_token_stream();
                    scan_exits(&t, &mut self.exits);
                    out.extend(t);
                }
                Stmt::Tail(e) => {
                    let t = e.to_token_stream();
                    scan_exits(&t, &mut self.exits);
                    out.extend(t);
                }
                Stmt::Await(a) => {
                    out.extend(self.suspend(a.index, &a.awaitee));
                    return out;
                }
                Stmt::Nested { block, .. } => {
                    // The nested block suspends before producing its value.
                    let inner = self.emit_from(block, 0, false);
                    out.extend(quote!({ #inner }));
                    return out;
                }
            }
        }
        if root {
            self.exits.completes = true;
        }
        out
    }

    /// Stores the awaitee and the saved locals, then polls the new state.
    fn suspend(&mut self, k: usize, awaitee: &syn::Expr) -> TokenStream {
        let s = &self.analysis.suspensions[k];
        let variant = format_ident!("Suspend{}", k, span = Span::mixed_site());
        let mut ids: Vec<LocalId> = s.saved.iter().flatten().copied().collect();
        ids.sort();
        ids.reverse();
        let fields = ids.iter().map(|id| {
            let l = self.local(*id);
            let (f, i) = (&l.field, &l.ident);
            quote!(#f: #i)
        });
        let aw = ms("__awaitee");
        let into = quote_spanned!(Span::mixed_site()=> ::core::future::IntoFuture::into_future);
        let make = if s.wrapped {
            let ret = s.returned.iter().map(|id| &self.local(*id).ident);
            let o = ms("__o");
            quote!(async move { let #o = #awaitee.await; (#o, #(#ret,)*) })
        } else {
            quote!(#into(#awaitee))
        };
        let poll = label_poll();
        quote! {
            let #aw = #make;
            *__s = __State::#variant { #aw, #(#fields),* };
            continue #poll;
        }
    }

    /// Emits the code that runs when await `k` completes: restores each scope around it and
    /// continues to the next suspension or the end.
    fn emit_resume(&mut self, b: &Block, k: usize, depth: usize) -> TokenStream {
        let path = self.paths[k].clone();
        let i = path[depth];
        let mut out = self.restores(k, depth);
        match &b.stmts[i] {
            Stmt::Await(a) => {
                let o = ms("__out");
                out.extend(match &a.bind {
                    Bind::Pat(p) => quote!(let #p = #o;),
                    Bind::Hidden(v) => quote!(let #v = #o;),
                    Bind::Discard => quote!(::core::mem::drop(#o);),
                });
            }
            Stmt::Nested { head, block } => {
                let inner = self.emit_resume(block, k, depth + 1);
                out.extend(match head {
                    Head::Let(p) => quote!(let #p = { #inner };),
                    Head::Expr => quote!({ #inner };),
                    Head::Tail => quote!({ #inner }),
                });
            }
            _ => {}
        }
        let rest = self.emit_from(b, i + 1, depth == 0);
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
) -> Generated {
    let p = config.private();
    let mut paths = Vec::new();
    find_paths(body, &mut Vec::new(), &mut paths);
    let mut ctx = Ctx {
        p: p.clone(),
        analysis,
        paths,
        exits: Exits::default(),
    };
    let n_awaits = analysis.suspensions.len();

    // Type parameters: per parameter, awaitee and saved local.
    let mut type_params: Vec<Ident> = Vec::new();
    let mut unresumed_fields = Vec::new();
    let mut unresumed_values = Vec::new();
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
                unresumed_fields.push(quote!(#field: #tp));
                type_params.push(tp);
                let self_token = Ident::new("self", *span);
                unresumed_values.push(quote!(#field: #self_token));
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
                unresumed_fields.push(quote!(#field: #tp));
                type_params.push(tp);
                unresumed_values.push(quote!(#field: #ident));
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
                unresumed_fields.push(quote!(#field: #tp));
                type_params.push(tp);
                // The signature gets a plain name for it: `__argN: T`.
                unresumed_values.push(quote!(#field: #field));
                prologue.extend(quote!(let #hidden = #field; let #pat = #hidden;));
            }
        }
    }
    let mut variants = Vec::new();
    let mut state_names = Vec::new();
    for k in 0..n_awaits {
        let s = &analysis.suspensions[k];
        let fut = format_ident!("Fut{}", k, span = Span::mixed_site());
        type_params.push(fut.clone());
        let mut ids: Vec<LocalId> = s.saved.iter().flatten().copied().collect();
        ids.sort();
        ids.reverse();
        let mut fields = vec![quote!(__awaitee: #fut)];
        for id in ids {
            let l = &analysis.locals[id.0];
            let (field, tp) = (&l.field, &l.type_param);
            if !type_params.contains(tp) {
                type_params.push(tp.clone());
            }
            fields.push(quote!(#field: #tp));
        }
        let v = format_ident!("Suspend{}", k, span = Span::mixed_site());
        variants.push(quote!(#v { #(#fields),* }));
        state_names.push(v);
    }

    // The arms.
    let ret_ty: syn::Type = match &f.sig.output {
        syn::ReturnType::Default => syn::parse_quote!(()),
        syn::ReturnType::Type(_, t) => (**t).clone(),
    };
    let ret_infer = infer_impl(&ret_ty);
    let body_lbl = body_label();
    let poll = label_poll();
    let ret = ms("__ret");
    let finish = quote! {
        *__s = __State::Returned;
        return ::core::task::Poll::Ready(#ret);
    };
    let mut exits = Vec::new();

    let uf: Vec<&Ident> = f.params.iter().map(|p| &p.field).collect();
    let seg = ctx.emit_from(body, 0, true);
    exits.push(std::mem::take(&mut ctx.exits));
    let unresumed_arm = quote! {
        __State::Unresumed { .. } => {
            let (#(#uf,)*) = match ::core::mem::replace(__s, __State::Panicked) {
                __State::Unresumed { #(#uf),* } => (#(#uf,)*),
                _ => ::core::unreachable!(),
            };
            let #ret: #ret_infer = #body_lbl: { #prologue #seg };
            #finish
        }
    };
    let mut suspend_arms = Vec::new();
    for k in 0..n_awaits {
        let s = &analysis.suspensions[k];
        let v = &state_names[k];
        let mut ids: Vec<LocalId> = s.saved.iter().flatten().copied().collect();
        ids.sort();
        ids.reverse();
        let fields: Vec<&Ident> = ids.iter().map(|id| &analysis.locals[id.0].field).collect();
        let seg = ctx.emit_resume(body, k, 0);
        exits.push(std::mem::take(&mut ctx.exits));
        let out = ms("__out");
        let aw = ms("__awaitee");
        let unpack = if s.wrapped {
            let ret_fields = s.returned.iter().map(|id| &analysis.locals[id.0].field);
            quote!(let (#out, #(#ret_fields,)*) = #out;)
        } else {
            TokenStream::new()
        };
        suspend_arms.push(quote! {
            __State::#v { #aw, #(#fields),* } => {
                // SAFETY: the awaitee lives in the pinned state and is only ever polled here,
                // in place; it is dropped in place by `vacate` below or with the state.
                let #out = match unsafe { #p::poll_awaitee(#aw, __cx) } {
                    ::core::task::Poll::Ready(__o) => __o,
                    ::core::task::Poll::Pending => return ::core::task::Poll::Pending,
                };
                let #aw: *mut _ = #aw;
                // SAFETY: each saved local is read exactly once; `vacate` then drops the
                // awaitee in place and marks the state `Panicked` without dropping them again.
                let (#(#fields,)*) = unsafe { (#(#p::take(#fields),)*) };
                // SAFETY: as above; `__sp` is the state and `__awaitee` its live awaitee.
                unsafe { #p::vacate(__sp, #aw) };
                #unpack
                let #ret: #ret_infer = #body_lbl: { #seg };
                #finish
            }
        });
    }

    // The item.
    let mut sig = f.sig.clone();
    sig.asyncness = None;
    for (i, param) in f.params.iter().enumerate() {
        if let ParamKind::Pattern(_) = &param.kind {
            if let Some(syn::FnArg::Typed(pt)) = sig.inputs.iter_mut().nth(i) {
                let field = &param.field;
                *pt.pat = syn::parse_quote!(#field);
            }
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
    let placeholders2 = type_params.iter().map(|_| quote!(_));
    let tokens = quote! {
        #vis #sig {
            #(#items)*
            /// The states of this `async fn`, as rustc names them: one variant per `.await`
            /// holding the locals saved across it.
            // Lints: the type parameters are named after the locals they hold.
            #[allow(non_camel_case_types, dead_code)]
            enum __State<#(#type_params),*> {
                Unresumed { #(#unresumed_fields),* },
                Returned,
                Panicked,
                #(#variants),*
            }
            impl<#(#type_params),*> #p::States for __State<#(#type_params),*> {
                const FN_NAME: &'static str = #fn_name;
                fn panicked() -> Self { __State::Panicked }
                fn is_returned(&self) -> bool { ::core::matches!(self, __State::Returned) }
                fn state_name(&self) -> &'static str { match self { #(#name_arms),* } }
            }
            let __init = __State::Unresumed { #(#unresumed_values),* };
            // Lints: restored locals may be unused or not mutated in the code after an await;
            // code after a suspension is unreachable; `?` lowers to a parenthesized break.
            #[allow(unused_variables, unused_mut, unused_parens, unreachable_code, clippy::let_unit_value, clippy::needless_return, clippy::never_loop)]
            let __step = #p::step_fn(&__init, move |__s, __cx| {
                #poll: loop {
                    let __sp: *mut __State<#(#placeholders2),*> = __s;
                    // SAFETY: `__sp` was just derived from `__s`, the only reference to the
                    // state; awaitees are reached through it and never moved.
                    match unsafe { &mut *__sp } {
                        #unresumed_arm
                        #(#suspend_arms)*
                        __State::Returned => #p::resumed_after_completion(),
                        __State::Panicked => #p::resumed_after_panicking(),
                    }
                }
            });
            // SAFETY: `__step` polls each awaitee in place and drops it in place (`vacate`),
            // and leaves the state `Panicked` while the body runs between suspensions.
            unsafe { #p::Machine::new(__init, __step) }
        }
    };
    let _ = &ctx.p;
    Generated { tokens, exits }
}
