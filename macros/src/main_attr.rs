//! `#[awaitgraph::main]`: runs an `async fn main` on the awaitgraph runtime.
//!
//! Input:
//! ```text
//! #[awaitgraph::main]
//! async fn main() -> Result<(), E> { body }
//! ```
//! Output:
//! ```text
//! fn main() -> Result<(), E> { ::awaitgraph::block_on(async move { body }) }
//! ```

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::parse::Parser;
use syn::spanned::Spanned;

/// The attribute's arguments.
struct Config {
    /// `crate = "path"`: where the `awaitgraph` crate is (default `::awaitgraph`).
    krate: syn::Path,
}

fn parse_config(args: TokenStream) -> syn::Result<Config> {
    let mut krate: Option<syn::Path> = None;
    let mut errors: Option<syn::Error> = None;
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("crate") {
            let lit: syn::LitStr = meta.value()?.parse()?;
            if krate.is_some() {
                return Err(meta.error("duplicate `crate` argument"));
            }
            krate = Some(lit.parse()?);
            Ok(())
        } else {
            let name = meta.path.to_token_stream().to_string().replace(' ', "");
            let e = meta.error(format!(
                "unknown argument `{name}` of `#[awaitgraph::main]`; valid arguments: `crate = \"path\"`"
            ));
            match &mut errors {
                Some(all) => all.combine(e),
                None => errors = Some(e),
            }
            // Skip a value, if any, so the remaining arguments are still checked.
            if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        }
    });
    parser.parse2(args)?;
    if let Some(e) = errors {
        return Err(e);
    }
    Ok(Config {
        krate: krate.unwrap_or_else(|| syn::parse_quote!(::awaitgraph)),
    })
}

/// Expands `#[awaitgraph::main]`. On error, emits the original item plus `compile_error!`.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut f: syn::ItemFn = match syn::parse2(item.clone()) {
        Ok(f) => f,
        Err(e) => {
            let e = e.to_compile_error();
            return quote! { #item #e };
        }
    };
    let mut errors: Vec<syn::Error> = Vec::new();
    let config = match parse_config(args) {
        Ok(c) => Some(c),
        Err(e) => {
            errors.push(e);
            None
        }
    };
    if f.sig.asyncness.is_none() {
        errors.push(syn::Error::new(
            f.sig.fn_token.span(),
            "`#[awaitgraph::main]` needs an `async fn`",
        ));
    }
    if !f.sig.inputs.is_empty() {
        errors.push(syn::Error::new(
            f.sig.inputs.span(),
            "`#[awaitgraph::main]` fn takes no arguments",
        ));
    }
    if !f.sig.generics.params.is_empty() {
        errors.push(syn::Error::new(
            f.sig.generics.span(),
            "`#[awaitgraph::main]` fn cannot be generic",
        ));
    }
    if let (true, Some(config)) = (errors.is_empty(), config) {
        let krate = config.krate;
        f.sig.asyncness = None;
        let body = &f.block;
        let span = body.span();
        let new_body: syn::Block = syn::parse_quote_spanned! {span=>
            { #krate::block_on(async move #body) }
        };
        *f.block = new_body;
        return f.into_token_stream();
    }
    let mut all = errors.remove(0);
    for e in errors {
        all.combine(e);
    }
    let e = all.to_compile_error();
    quote! { #item #e }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_async_main() {
        let out = expand(
            quote!(),
            quote!(
                async fn main() -> u8 {
                    1
                }
            ),
        );
        let s = out.to_string();
        assert!(s.contains(":: awaitgraph :: block_on (async move"), "{s}");
        assert!(!s.starts_with("async"), "{s}");
    }

    #[test]
    fn crate_override() {
        let out = expand(
            quote!(crate = "my::ag"),
            quote!(
                async fn main() {}
            ),
        );
        assert!(out.to_string().contains("my :: ag :: block_on"), "{out}");
    }

    #[test]
    fn rejects_sync_fn_and_unknown_args() {
        let out = expand(
            quote!(flavor = "x"),
            quote!(
                fn main() {}
            ),
        )
        .to_string();
        assert!(out.contains("needs an `async fn`"), "{out}");
        assert!(out.contains("unknown argument `flavor`"), "{out}");
        assert!(out.contains("fn main"), "{out}");
    }
}
