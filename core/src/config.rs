//! Phase 1: the attribute's arguments.
//!
//! Input:  `crate = "::my_reexport::awaitgraph", diagrams = false`
//! Output: `Config { krate: ::my_reexport::awaitgraph, diagrams: false }`

use proc_macro2::TokenStream;
use quote::quote;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::{LitBool, LitStr, Path, Token};

/// Options of `#[state_machine(...)]`.
#[derive(Clone, Debug)]
pub struct Config {
    /// Path of the runtime crate in generated code (`crate = "path"`), default `::awaitgraph`.
    pub krate: Path,
    /// Write diagram files at expansion (`diagrams = false` turns them all off).
    pub diagrams: bool,
    /// Which diagram files: `dot = false`, `mermaid = false`, `svg = false | "graphviz" |
    /// "fallback"` (default: Graphviz when `dot` is installed, else the pure-Rust renderer).
    pub formats: crate::render::Formats,
    /// How the SVG is made.
    pub svg: crate::render::SvgRenderer,
    /// Append the state table to the fn's rustdoc (`doc = false` turns it off).
    pub doc: bool,
    /// Names of methods that take `self` by value in this fn (`consumes = [build, send]`),
    /// besides those the lowering knows: a local used as their receiver is moved, so it is not
    /// saved across the awaits after.
    pub consumes: Vec<String>,
}

const KEYS: &str = "`crate = \"path\"`, `consumes = [method, ..]`, `diagrams = true|false`, `doc = true|false`, `dot = true|false`, `mermaid = true|false`, `svg = true|false|\"graphviz\"|\"fallback\"`";

impl Default for Config {
    fn default() -> Self {
        Config {
            krate: syn::parse_quote!(::awaitgraph),
            diagrams: true,
            formats: crate::render::Formats::default(),
            svg: crate::render::SvgRenderer::Auto,
            doc: true,
            consumes: Vec::new(),
        }
    }
}

impl Parse for Config {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mut config = Config::default();
        let mut seen: Vec<String> = Vec::new();
        while !input.is_empty() {
            let key: syn::Ident = if input.peek(Token![crate]) {
                let k: Token![crate] = input.parse()?;
                syn::Ident::new("crate", k.span)
            } else {
                input
                    .parse()
                    .map_err(|e| syn::Error::new(e.span(), format!("expected one of {KEYS}")))?
            };
            let name = key.to_string();
            if seen.contains(&name) {
                return Err(syn::Error::new(
                    key.span(),
                    format!("duplicate option `{name}`: give it once"),
                ));
            }
            seen.push(name.clone());
            input.parse::<Token![=]>()?;
            match name.as_str() {
                "crate" => {
                    let lit: LitStr = input.parse().map_err(|e| {
                        syn::Error::new(
                            e.span(),
                            "expected a quoted path: `crate = \"awaitgraph\"`",
                        )
                    })?;
                    config.krate = lit.parse().map_err(|_| {
                        syn::Error::new(
                            lit.span(),
                            "expected a path such as `crate = \"::my_crate::awaitgraph\"`",
                        )
                    })?;
                }
                "consumes" => config.consumes = parse_methods(input)?,
                "diagrams" => config.diagrams = parse_bool(input, &name)?,
                "doc" => config.doc = parse_bool(input, &name)?,
                "dot" => config.formats.dot = parse_bool(input, &name)?,
                "mermaid" => config.formats.mermaid = parse_bool(input, &name)?,
                "svg" => {
                    if input.peek(LitBool) {
                        config.formats.svg = input.parse::<LitBool>()?.value;
                    } else {
                        let lit: LitStr = input.parse()?;
                        config.svg = match lit.value().as_str() {
                            "graphviz" => crate::render::SvgRenderer::Graphviz,
                            "fallback" => crate::render::SvgRenderer::Fallback,
                            "auto" => crate::render::SvgRenderer::Auto,
                            _ => {
                                return Err(syn::Error::new(
                                    lit.span(),
                                    "expected `svg = true`, `false`, `\"auto\"`, `\"graphviz\"` or `\"fallback\"`",
                                ));
                            }
                        };
                    }
                }
                _ => {
                    return Err(syn::Error::new(
                        key.span(),
                        format!("unknown option `{name}`; valid options: {KEYS}"),
                    ));
                }
            }
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        Ok(config)
    }
}

/// `[build, send]`: method names.
fn parse_methods(input: ParseStream<'_>) -> syn::Result<Vec<String>> {
    let expected = "expected a list of method names: `consumes = [build, send]`";
    if !input.peek(syn::token::Bracket) {
        return Err(syn::Error::new(input.span(), expected));
    }
    let content;
    syn::bracketed!(content in input);
    let names = content
        .parse_terminated(syn::Ident::parse_any, Token![,])
        .map_err(|e| syn::Error::new(e.span(), expected))?;
    Ok(names.iter().map(|i| i.to_string()).collect())
}

/// `true` or `false`, with an error that shows the option written out.
fn parse_bool(input: ParseStream<'_>, name: &str) -> syn::Result<bool> {
    input.parse::<LitBool>().map(|b| b.value).map_err(|e| {
        syn::Error::new(
            e.span(),
            format!("expected `true` or `false`: `{name} = false`"),
        )
    })
}

impl Config {
    /// Parses the attribute's tokens.
    pub fn from_tokens(args: TokenStream) -> syn::Result<Self> {
        syn::parse2(args)
    }

    /// `#krate::__private` as tokens.
    pub fn private(&self) -> TokenStream {
        let k = &self.krate;
        quote!(#k::__private)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_options() {
        let c = Config::from_tokens(quote!()).unwrap();
        let k = &c.krate;
        assert_eq!(quote!(#k).to_string(), ":: awaitgraph");
        assert!(c.diagrams && c.doc);
        let c = Config::from_tokens(quote!(crate = "::x::ag", diagrams = false)).unwrap();
        let k = &c.krate;
        assert_eq!(quote!(#k).to_string(), ":: x :: ag");
        assert!(!c.diagrams && c.doc);
        let c = Config::from_tokens(quote!(consumes = [build, send,])).unwrap();
        assert_eq!(c.consumes, ["build", "send"]);
    }

    #[test]
    fn rejects_duplicates_and_unknown_keys() {
        let e = Config::from_tokens(quote!(doc = true, doc = false)).unwrap_err();
        assert!(e.to_string().contains("duplicate option `doc`"));
        let e = Config::from_tokens(quote!(colour = true)).unwrap_err();
        assert!(e.to_string().contains("unknown option `colour`"), "{e}");
        assert!(e.to_string().contains("crate = "));
        let e = Config::from_tokens(quote!(consumes = build)).unwrap_err();
        assert!(e.to_string().contains("`consumes = [build, send]`"), "{e}");
        let e = Config::from_tokens(quote!(consumes = ["build"])).unwrap_err();
        assert!(e.to_string().contains("`consumes = [build, send]`"), "{e}");
    }
}
