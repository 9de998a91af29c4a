//! awaitgraph-core: the lowering engine behind `#[awaitgraph::state_machine]`.
//!
//! Phases, one module each, each taking one IR and returning the next:
//! 1. [`config`]: the attribute's arguments.
//! 2. [`parse`]: the `async fn` item into [`parse::AsyncFn`].
//! 3. [`normalize`]: the body into a tree of scopes where every `.await` is a statement.
//! 4. [`liveness`]: which locals each suspension point saves.
//! 5. [`codegen`]: the explicit enum-and-poll future.
//!
//! [`model`] is the state graph built alongside, which the renderers and the comparison with
//! rustc read. No `proc_macro` dependency: every phase runs on `proc_macro2` tokens.

#![warn(missing_docs)]

pub mod attrs;
pub mod codegen;
pub mod config;
pub mod liveness;
pub mod macros;
pub mod model;
pub mod normalize;
pub mod parse;
pub mod render;
pub mod rewrite;
pub mod rustc_layout;
pub mod shadow;
pub mod states;

use proc_macro2::TokenStream;
use quote::quote;

/// The result of expanding one annotated fn.
pub struct Expansion {
    /// The tokens to emit.
    pub tokens: TokenStream,
    /// The state graph (absent when the input was refused).
    pub graph: Option<model::StateGraph>,
    /// The parsed configuration.
    pub config: config::Config,
}

/// Expands `#[state_machine(args)] item`. Never panics: errors become `compile_error!` next to
/// the original item, so the rest of the crate still type-checks and IDEs keep working.
pub fn expand(args: TokenStream, item: TokenStream) -> Expansion {
    let config = match config::Config::from_tokens(args) {
        Ok(c) => c,
        Err(e) => {
            let err = e.to_compile_error();
            return Expansion {
                tokens: quote!(#err #item),
                graph: None,
                config: config::Config::default(),
            };
        }
    };
    let lowered = guarded(&item, || lower(&config, item.clone()));
    match lowered {
        Ok((tokens, graph)) => Expansion {
            tokens,
            graph: Some(graph),
            config,
        },
        Err(e) => {
            let err = e.to_compile_error();
            Expansion {
                tokens: quote!(#err #item),
                graph: None,
                config,
            }
        }
    }
}

/// Runs `lower` so that the macro never panics on any input: a panic of the lowering (a bug)
/// becomes an error that says so, on the fn's name (the fn is then passed through, so that the
/// rest of the crate still type-checks).
fn guarded<T>(item: &TokenStream, lower: impl FnOnce() -> syn::Result<T>) -> syn::Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(lower)).unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let span = syn::parse2::<syn::ItemFn>(item.clone())
            .map(|f| f.sig.ident.span())
            .unwrap_or_else(|_| proc_macro2::Span::call_site());
        Err(syn::Error::new(
            span,
            format!(
                "awaitgraph failed to lower this fn (internal error: {what}). This is a bug in \
                 awaitgraph: please report it with the fn. Meanwhile, build it natively by \
                 removing `#[state_machine]`"
            ),
        ))
    })
}

/// All phases: parse, rewrite, normalize, analyze, generate, build the graph.
pub fn lower(
    config: &config::Config,
    item: TokenStream,
) -> syn::Result<(TokenStream, model::StateGraph)> {
    let mut f = parse::parse(item)?;
    rewrite::set_user_edition((!normalize::edition_2024()).then(|| f.sig.ident.span()));
    normalize::set_consuming(config.consumes.clone());
    let written = written_awaits(&f.block);
    let mut body = f.block.clone();
    let mut bound = Vec::new();
    for p in &f.params {
        match &p.kind {
            parse::ParamKind::Receiver { .. } => bound.push("self".to_string()),
            parse::ParamKind::Ident { ident, .. } => bound.push(ident.to_string()),
            parse::ParamKind::Pattern(pat) => {
                let mut idents = Vec::new();
                liveness::pat_idents(pat, &mut idents);
                bound.extend(idents.into_iter().map(|(i, _, _)| i.to_string()));
            }
        }
    }
    rewrite::rewrite(&mut body, &config.private(), &bound)?;
    let param_idents: Vec<Option<proc_macro2::Ident>> = f
        .params
        .iter()
        .map(|p| match &p.kind {
            parse::ParamKind::Ident { ident, .. } => Some(ident.clone()),
            _ => None,
        })
        .collect();
    for (p, new) in f
        .params
        .iter_mut()
        .zip(shadow::rename(&param_idents, &mut body))
    {
        p.rename = new;
    }
    // A statement without awaits that moves a local on some of its paths only, a local a later
    // suspension keeps: lowered again, that statement as a control construct (with a drop
    // flag), until none is left (each round lowers at least one more; nested ones need a
    // round each).
    let mut force = std::collections::HashSet::new();
    let (tree, items, n_awaits, analysis) = loop {
        let (tree, items, n_awaits) =
            normalize::normalize_with(body.clone(), config.private(), &force)?;
        let analysis = liveness::analyze(&f, &tree, n_awaits)?;
        let before = force.len();
        force.extend(analysis.force.iter().cloned());
        if force.len() == before || before > 64 {
            break (tree, items, n_awaits, analysis);
        }
    };
    let mut awaits = vec![(String::new(), proc_macro2::Span::call_site()); n_awaits];
    collect_awaits(&tree, &written, &mut awaits);
    // Other attributes below ours (they expand after us): some need an `async fn`.
    let mut plain = Vec::new();
    let mut need_async = Vec::new();
    let mut instrument = false;
    for a in &f.attrs {
        match attrs::classify(a) {
            attrs::Kind::Plain => plain.push(a.clone()),
            attrs::Kind::NeedsAsyncFn => need_async.push(a.clone()),
            attrs::Kind::Instrument => {
                instrument = true;
                plain.push(a.clone());
            }
        }
    }
    let mut lowered = f.clone();
    if !need_async.is_empty() {
        attrs::check_wrappable(&f, &need_async[0])?;
        lowered.sig.ident =
            proc_macro2::Ident::new("__awaitgraph_lowered", proc_macro2::Span::mixed_site());
        lowered.vis = syn::Visibility::Inherited;
    }
    let generated = codegen::generate(
        &lowered, &tree, &items, &analysis, config, instrument, &awaits,
    );
    let graph = states::build(&f, &analysis, &awaits, &generated.exits);
    let attrs = &plain;
    let doc = config.doc.then(|| {
        let table = format!(
            "\n# State machine\n\nLowered by `#[awaitgraph::state_machine]`: the states of the returned future and the values each holds.\n\n{}",
            render::doc::state_table_markdown(&graph)
        );
        quote!(#[doc = #table])
    });
    let rest = generated.tokens;
    if !need_async.is_empty() {
        // `#[tokio::main]`, `#[tokio::test]`, `#[awaitgraph::main]`, ... take an `async fn`: keep
        // one, whose body awaits the lowered machine.
        let outer = attrs::async_shell(&f, &need_async, rest);
        return Ok((quote!(#(#attrs)* #doc #outer), graph));
    }
    Ok((quote!(#(#attrs)* #doc #rest), graph))
}

/// Where an `.await` keyword is in the source: (line, column).
type AwaitPos = (usize, usize);

fn await_pos(span: proc_macro2::Span) -> AwaitPos {
    let s = span.start();
    (s.line, s.column)
}

/// The awaited expression of each `.await` as the user wrote it (before `self`, `?` and
/// `return` are rewritten and operands are hoisted into hidden locals), keyed by where its
/// `await` keyword is: the labels of states show this text. Awaits inside the arguments of the
/// known macros are found too. A position seen twice (tokens without real positions, as made
/// by some `macro_rules!`) is left out, and the label falls back to the lowered expression.
fn written_awaits(block: &syn::Block) -> std::collections::HashMap<AwaitPos, Option<String>> {
    use syn::visit::Visit;
    struct V(std::collections::HashMap<AwaitPos, Option<String>>);
    impl<'a> Visit<'a> for V {
        fn visit_expr_await(&mut self, a: &'a syn::ExprAwait) {
            let text = rewrite::compact(&a.base);
            self.0
                .entry(await_pos(a.await_token.span))
                .and_modify(|t| *t = None)
                .or_insert(Some(text));
            syn::visit::visit_expr_await(self, a);
        }
        fn visit_expr_for_loop(&mut self, f: &'a syn::ExprForLoop) {
            // A `for` loop awaited as one future (its iterator borrows a local kept across its
            // awaits; the await spanned at `for`): labelled with the loop's head.
            let (pat, expr) = (rewrite::compact(&f.pat), rewrite::compact(&f.expr));
            self.0
                .entry(await_pos(f.for_token.span))
                .and_modify(|t| *t = None)
                .or_insert(Some(format!("for {pat} in {expr} {{..}}")));
            syn::visit::visit_expr_for_loop(self, f);
        }
        fn visit_macro(&mut self, m: &'a syn::Macro) {
            if macros::is_awaiting(m) {
                // Awaited as one future (`async { join!(..) }.await`, the await spanned at the
                // macro's name): labelled with the macro.
                if let Some(at) = macros::name_span(m) {
                    let (open, close) = match m.delimiter {
                        syn::MacroDelimiter::Paren(_) => ("(", ")"),
                        syn::MacroDelimiter::Brace(_) => (" {", "}"),
                        syn::MacroDelimiter::Bracket(_) => ("[", "]"),
                    };
                    let path = rewrite::compact(&m.path);
                    self.0
                        .entry(await_pos(at))
                        .and_modify(|t| *t = None)
                        .or_insert(Some(format!("{path}!{open}..{close}")));
                }
                return;
            }
            if let Some(Ok(args)) = macros::parse_known(m) {
                for e in args.exprs() {
                    self.visit_expr(e);
                }
            }
        }
    }
    let mut v = V(Default::default());
    v.visit_block(block);
    v.0
}

fn collect_awaits(
    b: &normalize::Block,
    written: &std::collections::HashMap<AwaitPos, Option<String>>,
    out: &mut Vec<(String, proc_macro2::Span)>,
) {
    for s in &b.stmts {
        match s {
            normalize::Stmt::Await(a) => {
                if let Some(slot) = out.get_mut(a.index) {
                    let text = match written.get(&await_pos(a.span)) {
                        Some(Some(t)) => t.clone(),
                        _ => rewrite::compact(&a.awaitee),
                    };
                    *slot = (text, a.span);
                }
            }
            normalize::Stmt::Nested { block, .. } => collect_awaits(block, written, out),
            normalize::Stmt::Control { ctl, .. } => match ctl {
                normalize::Control::If { then, els, .. } => {
                    collect_awaits(then, written, out);
                    if let Some(e) = els {
                        collect_awaits(e, written, out);
                    }
                }
                normalize::Control::Match { arms, .. } => {
                    for a in arms {
                        collect_awaits(&a.body, written, out);
                    }
                }
                normalize::Control::Loop { body, .. } => collect_awaits(body, written, out),
            },
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    /// A panic of the lowering becomes an error on the fn's name that says it is a bug.
    #[test]
    fn a_panic_of_the_lowering_is_an_error_on_the_fn_name() {
        let item: proc_macro2::TokenStream =
            "async fn broken(n: u32) -> u32 { n }".parse().unwrap();
        let err =
            super::guarded(&item, || -> syn::Result<()> { panic!("expected `;`") }).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("internal error: expected `;`"), "{text}");
        assert!(text.contains("removing `#[state_machine]`"), "{text}");
        // `broken` starts at column 9.
        assert_eq!(err.span().start().column, 9);
    }
}
