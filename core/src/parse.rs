//! Phase 2: the annotated item into an [`AsyncFn`].
//!
//! Input:  `#[inline] pub async fn demo(&mut self, n: u64, (a, b): (u8, u8)) -> u8 { .. }`
//! Output: `AsyncFn { attrs: [#[inline]], params: [self (&mut), n: u64, __arg2 = (a, b)], .. }`

use proc_macro2::{Span, TokenStream};
use syn::spanned::Spanned;
use syn::{Attribute, Block, FnArg, Ident, Pat, Signature, Type, Visibility};

/// An `async fn` with a body.
#[derive(Clone)]
pub struct AsyncFn {
    /// Attributes other than ours, passed through.
    pub attrs: Vec<Attribute>,
    /// Visibility, passed through.
    pub vis: Visibility,
    /// The signature as written (still `async`).
    pub sig: Signature,
    /// The body.
    pub block: Block,
    /// The parameters, in order.
    pub params: Vec<Param>,
}

/// A parameter of the fn.
#[derive(Clone)]
pub struct Param {
    /// How it binds.
    pub kind: ParamKind,
    /// Its field name in the `Unresumed` variant (`n`, `self_`, `__arg2`).
    pub field: Ident,
    /// The declared type (`&mut Self` for `&mut self`).
    pub ty: Type,
    /// The name it has in the lowered body when a later `let` shadows it (see `shadow`).
    pub rename: Option<Ident>,
}

/// How a parameter binds.
#[derive(Clone)]
pub enum ParamKind {
    /// `self`, `mut self`, `&self`, `&mut self`, `self: Box<Self>`.
    Receiver {
        /// `mut self`
        mutable: bool,
        /// The span of the `self` token: the body's `self` has the same hygiene.
        span: Span,
    },
    /// `x: T` or `mut x: T`.
    Ident {
        /// The name.
        ident: Ident,
        /// `mut x`.
        mutable: bool,
    },
    /// Any other pattern, bound with `let <pat> = __argN;` at the first poll, like rustc does.
    Pattern(Box<Pat>),
}

/// Parses the item the attribute is on.
pub fn parse(item: TokenStream) -> syn::Result<AsyncFn> {
    let item: syn::ItemFn = match syn::parse2(item.clone()) {
        Ok(f) => f,
        Err(e) => {
            if let Ok(f) = syn::parse2::<syn::TraitItemFn>(item)
                && f.default.is_none()
            {
                return Err(syn::Error::new(
                    f.sig.span(),
                    "#[state_machine] needs an `async fn` with a body; put it on the fn in the `impl` block instead of its declaration in the trait",
                ));
            }
            return Err(syn::Error::new(
                e.span(),
                "#[state_machine] goes on an `async fn` item, e.g. `#[awaitgraph::state_machine] async fn f() { .. }`",
            ));
        }
    };
    let sig = item.sig;
    if sig.asyncness.is_none() {
        return Err(syn::Error::new(
            sig.fn_token.span,
            "#[state_machine] lowers an `async fn`; this fn is not `async`: write `async fn`",
        ));
    }
    if let Some(c) = &sig.constness {
        return Err(syn::Error::new(
            c.span,
            "an `async fn` cannot be `const`; remove `const`",
        ));
    }
    if let Some(v) = &sig.variadic {
        return Err(syn::Error::new(
            v.span(),
            "variadic parameters are not supported; remove `...`",
        ));
    }
    let mut params = Vec::new();
    let mut errors: Option<syn::Error> = None;
    for (i, input) in sig.inputs.iter().enumerate() {
        match input {
            FnArg::Receiver(r) => params.push(Param {
                kind: ParamKind::Receiver {
                    mutable: r.reference.is_none() && r.mutability.is_some(),
                    span: r.self_token.span,
                },
                field: Ident::new("self_", Span::mixed_site()),
                ty: (*r.ty).clone(),
                rename: None,
            }),
            FnArg::Typed(pt) => {
                let ty = (*pt.ty).clone();
                match &*pt.pat {
                    Pat::Ident(pi) if pi.by_ref.is_none() && pi.subpat.is_none() => {
                        params.push(Param {
                            kind: ParamKind::Ident {
                                ident: pi.ident.clone(),
                                mutable: pi.mutability.is_some(),
                            },
                            field: Ident::new(&field_name(&pi.ident), Span::mixed_site()),
                            ty,
                            rename: None,
                        })
                    }
                    Pat::Ident(pi) if pi.by_ref.is_some() => {
                        let e = syn::Error::new(
                            pi.by_ref.span(),
                            "`ref` parameters are not supported by #[state_machine]; take the parameter by value and borrow it in the body",
                        );
                        match &mut errors {
                            Some(all) => all.combine(e),
                            None => errors = Some(e),
                        }
                    }
                    pat => params.push(Param {
                        kind: ParamKind::Pattern(Box::new(pat.clone())),
                        field: Ident::new(&format!("__arg{i}"), Span::mixed_site()),
                        ty,
                        rename: None,
                    }),
                }
            }
        }
    }
    if let Some(e) = errors {
        return Err(e);
    }
    // The body's inner attributes (`#![deny(..)]`, which syn puts with the outer ones) apply
    // to the fn: the lowered fn carries them as outer attributes.
    let attrs = item
        .attrs
        .into_iter()
        .map(|mut a| {
            a.style = syn::AttrStyle::Outer;
            a
        })
        .collect();
    Ok(AsyncFn {
        attrs,
        vis: item.vis,
        sig,
        block: *item.block,
        params,
    })
}

/// The field name for a local called `name` (raw identifiers lose their `r#`).
/// The field name for a local called `name`: raw identifiers (`r#type`) get a trailing `_`
/// (`type_`), which is a valid field name whether or not the word is a keyword.
pub fn field_name(ident: &Ident) -> String {
    let s = ident.to_string();
    match s.strip_prefix("r#") {
        Some(word) => format!("{word}_"),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn params_of_every_kind() {
        let f = parse(quote! {
            #[inline] pub async fn m(&mut self, n: u64, mut x: String, (a, b): (u8, u8)) -> u8 { a }
        })
        .unwrap();
        assert_eq!(f.attrs.len(), 1);
        let fields: Vec<String> = f.params.iter().map(|p| p.field.to_string()).collect();
        assert_eq!(fields, ["self_", "n", "x", "__arg3"]);
        assert!(matches!(
            f.params[2].kind,
            ParamKind::Ident { mutable: true, .. }
        ));
        assert!(matches!(f.params[3].kind, ParamKind::Pattern(_)));
    }

    #[test]
    fn refuses_non_async_and_bodyless() {
        let e = parse(quote!(
            fn f() {}
        ))
        .err()
        .unwrap();
        assert!(e.to_string().contains("not `async`"), "{e}");
        let e = parse(quote!(
            async fn f();
        ))
        .err()
        .unwrap();
        assert!(e.to_string().contains("with a body"), "{e}");
        let e = parse(quote!(
            struct S;
        ))
        .err()
        .unwrap();
        assert!(e.to_string().contains("goes on an `async fn`"), "{e}");
    }
}
