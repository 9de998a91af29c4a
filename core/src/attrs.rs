//! The other attributes on an annotated fn. `#[state_machine]` goes outermost, so it expands
//! first and sees them below it; their effect must survive the lowering.
//!
//! Input:  `#[tokio::test] async fn t() { .. }`
//! Output: `#[tokio::test] async fn t() { fn __awaitgraph_lowered() -> impl Future { .. }
//!          __awaitgraph_lowered().await }`
//!
//! - Attributes that need an `async fn` (`#[tokio::main]`, `#[tokio::test]`,
//!   `#[awaitgraph::main]`, `#[async_std::main]`, any `<crate>::main`/`<crate>::test`): the fn
//!   stays `async` and awaits the lowered machine, defined inside it.
//! - `#[tracing::instrument]`: it instruments a fn returning `impl Future` only when the body
//!   ends in an `async move` block, so the lowered fn ends in `async move { machine.await }`.
//! - Anything else (`#[inline]`, `#[cfg]`, `#[allow]`, docs, ...) is passed through unchanged.

use proc_macro2::TokenStream;
use quote::quote;
use syn::Attribute;
use syn::spanned::Spanned;

use crate::parse::{AsyncFn, ParamKind};

/// How an attribute is handled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Passed through.
    Plain,
    /// Needs an `async fn`: the fn stays async around the lowered machine.
    NeedsAsyncFn,
    /// `#[tracing::instrument]` (or `#[instrument]`).
    Instrument,
}

/// Classifies an attribute by its path.
pub fn classify(a: &Attribute) -> Kind {
    let segs: Vec<String> = a
        .path()
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    match segs.last().map(String::as_str) {
        Some("main" | "test") if segs.len() >= 2 => Kind::NeedsAsyncFn,
        Some("instrument") => Kind::Instrument,
        _ => Kind::Plain,
    }
}

/// The async shell can only forward plain parameters.
pub fn check_wrappable(f: &AsyncFn, attr: &Attribute) -> syn::Result<()> {
    for p in &f.params {
        match &p.kind {
            ParamKind::Ident { .. } => {}
            ParamKind::Receiver { span, .. } => {
                return Err(syn::Error::new(
                    *span,
                    "#[state_machine] keeps an `async fn` around the lowering for the attribute below it, which cannot forward `self`; put that attribute on a free fn",
                ));
            }
            ParamKind::Pattern(pat) => {
                let mut e = syn::Error::new(
                    pat.span(),
                    "#[state_machine] keeps an `async fn` around the lowering for the attribute below it, which forwards parameters by name: bind this one to a name and destructure it in the body",
                );
                e.combine(syn::Error::new(
                    attr.span(),
                    "the attribute that needs an `async fn`",
                ));
                return Err(e);
            }
        }
    }
    Ok(())
}

/// `#[attrs] async fn f(a: A) -> R { <lowered fn> __awaitgraph_lowered(a).await }`.
pub fn async_shell(f: &AsyncFn, attrs: &[Attribute], lowered: TokenStream) -> TokenStream {
    let sig = &f.sig;
    let vis = &f.vis;
    let args = f.params.iter().filter_map(|p| match &p.kind {
        ParamKind::Ident { ident, .. } => Some(ident),
        _ => None,
    });
    let inner = proc_macro2::Ident::new("__awaitgraph_lowered", proc_macro2::Span::mixed_site());
    quote! {
        #(#attrs)*
        #vis #sig {
            #lowered
            #inner(#(#args),*).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies() {
        let a: Attribute = syn::parse_quote!(#[tokio::main]);
        assert_eq!(classify(&a), Kind::NeedsAsyncFn);
        let a: Attribute = syn::parse_quote!(#[tokio::test(flavor = "multi_thread")]);
        assert_eq!(classify(&a), Kind::NeedsAsyncFn);
        let a: Attribute = syn::parse_quote!(#[tracing::instrument(skip(x))]);
        assert_eq!(classify(&a), Kind::Instrument);
        let a: Attribute = syn::parse_quote!(#[inline]);
        assert_eq!(classify(&a), Kind::Plain);
        let a: Attribute = syn::parse_quote!(#[test]);
        assert_eq!(classify(&a), Kind::Plain);
    }
}
