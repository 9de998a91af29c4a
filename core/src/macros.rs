//! Macro invocations inside a lowered body. A proc macro sees them unexpanded: the standard
//! format-like and assertion macros are parsed as expressions (their arguments are evaluated in
//! order, like function arguments); others are opaque.

use proc_macro2::{TokenStream, TokenTree};
use quote::{ToTokens, quote};
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Expr, Macro, Token};

/// Standard macros whose arguments are expressions, evaluated in order.
const EXPR_MACROS: &[&str] = &[
    "println",
    "print",
    "eprintln",
    "eprint",
    "format",
    "format_args",
    "write",
    "writeln",
    "panic",
    "assert",
    "assert_eq",
    "assert_ne",
    "debug_assert",
    "debug_assert_eq",
    "debug_assert_ne",
    "vec",
    "dbg",
    "unreachable",
    "todo",
    "unimplemented",
];

/// Macros known to `.await` inside their expansion, which awaitgraph cannot see.
pub const AWAITING_MACROS: &[&str] = &["join", "try_join", "select", "select_biased", "pin"];

/// The parsed arguments of a known macro.
pub enum MacroArgs {
    /// `println!("{}", a, b)`: comma-separated expressions.
    Exprs(Punctuated<Expr, Token![,]>),
    /// `matches!(expr, pattern if guard)`: the expression, then the rest verbatim.
    Matches(Box<Expr>, TokenStream),
    /// `vec![elem; n]`.
    Repeat(Box<Expr>, Box<Expr>),
}

/// The macro's last path segment (`println` for `std::println!`).
pub fn name(mac: &Macro) -> String {
    mac.path
        .segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default()
}

/// The position of the format string among a known macro's arguments (`format!("{x}")`: 0,
/// `write!(w, "{x}")`: 1, `assert_eq!(a, b, "{x}")`: 2); `None` for those that take none.
pub fn format_string_index(name: &str) -> Option<usize> {
    match name {
        "write" | "writeln" | "assert" | "debug_assert" => Some(1),
        "assert_eq" | "assert_ne" | "debug_assert_eq" | "debug_assert_ne" => Some(2),
        "vec" | "dbg" | "matches" => None,
        _ if EXPR_MACROS.contains(&name) => Some(0),
        _ => None,
    }
}

/// Parses a known macro's arguments; `None` when the macro is not one awaitgraph understands.
pub fn parse_known(mac: &Macro) -> Option<syn::Result<MacroArgs>> {
    let name = name(mac);
    if name == "matches" {
        let parser = |input: ParseStream<'_>| {
            let e: Expr = input.parse()?;
            let _: Token![,] = input.parse()?;
            let rest: TokenStream = input.parse()?;
            Ok(MacroArgs::Matches(Box::new(e), rest))
        };
        return Some(parser.parse2(mac.tokens.clone()));
    }
    if !EXPR_MACROS.contains(&name.as_str()) {
        return None;
    }
    if name == "vec" {
        let repeat = |input: ParseStream<'_>| {
            let e: Expr = input.parse()?;
            let _: Token![;] = input.parse()?;
            let n: Expr = input.parse()?;
            Ok(MacroArgs::Repeat(Box::new(e), Box::new(n)))
        };
        if let Ok(r) = repeat.parse2(mac.tokens.clone()) {
            return Some(Ok(r));
        }
    }
    Some(
        Punctuated::<Expr, Token![,]>::parse_terminated
            .parse2(mac.tokens.clone())
            .map(MacroArgs::Exprs),
    )
}

impl MacroArgs {
    /// The argument expressions, in evaluation order.
    pub fn exprs_mut(&mut self) -> Vec<&mut Expr> {
        match self {
            MacroArgs::Exprs(p) => p.iter_mut().collect(),
            MacroArgs::Matches(e, _) => vec![&mut **e],
            MacroArgs::Repeat(e, n) => vec![&mut **e, &mut **n],
        }
    }

    /// The argument expressions, in evaluation order.
    pub fn exprs(&self) -> Vec<&Expr> {
        match self {
            MacroArgs::Exprs(p) => p.iter().collect(),
            MacroArgs::Matches(e, _) => vec![&**e],
            MacroArgs::Repeat(e, n) => vec![&**e, &**n],
        }
    }

    /// The tokens to put back between the macro's delimiters.
    pub fn to_tokens(&self) -> TokenStream {
        match self {
            MacroArgs::Exprs(p) => p.to_token_stream(),
            MacroArgs::Matches(e, rest) => quote!(#e, #rest),
            MacroArgs::Repeat(e, n) => quote!(#e; #n),
        }
    }
}

/// Visits the argument expressions of a known macro (`format!("{}", { continue 'l })`) with
/// `f`, in evaluation order, and writes them back; other macros are left alone.
pub fn visit_args_mut(mac: &mut Macro, mut f: impl FnMut(&mut Expr)) {
    if let Some(Ok(mut args)) = parse_known(mac) {
        for e in args.exprs_mut() {
            f(e);
        }
        mac.tokens = args.to_tokens();
    }
}

/// Whether the tokens contain `. await`.
pub fn tokens_await(tokens: &TokenStream) -> Option<proc_macro2::Span> {
    let mut prev_dot = false;
    for tt in tokens.clone() {
        match &tt {
            TokenTree::Ident(i) if prev_dot && i == "await" => return Some(i.span()),
            TokenTree::Group(g) => {
                if let Some(s) = tokens_await(&g.stream()) {
                    return Some(s);
                }
            }
            _ => {}
        }
        prev_dot = matches!(&tt, TokenTree::Punct(p) if p.as_char() == '.');
    }
    None
}

/// Every identifier in the tokens (for uses of locals inside opaque macros).
pub fn token_idents(tokens: &TokenStream, out: &mut Vec<proc_macro2::Ident>) {
    for tt in tokens.clone() {
        match tt {
            TokenTree::Ident(i) => out.push(i),
            TokenTree::Group(g) => token_idents(&g.stream(), out),
            _ => {}
        }
    }
}

/// Names captured by inline format arguments (`"{x}"`, `"{x:?}"`) of a string literal.
pub fn format_captures(lit: &syn::LitStr) -> Vec<String> {
    let s = lit.value();
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '{' {
            continue;
        }
        if chars.peek() == Some(&'{') {
            chars.next();
            continue;
        }
        let mut name = String::new();
        while let Some(&c) = chars.peek() {
            if c == '}' || c == ':' {
                break;
            }
            name.push(c);
            chars.next();
        }
        let name = name.trim();
        if name
            .chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_alphanumeric() || c == '_')
        {
            out.push(name.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_known_macros() {
        let m: Macro = syn::parse_quote!(format!("{}-{}", name, fetch(n).await?));
        let args = parse_known(&m).unwrap().unwrap();
        assert_eq!(args.exprs().len(), 3);
        let m: Macro = syn::parse_quote!(vec![0u8; n]);
        assert!(matches!(parse_known(&m), Some(Ok(MacroArgs::Repeat(..)))));
        let m: Macro = syn::parse_quote!(matches!(x, Some(1) | None));
        assert!(matches!(parse_known(&m), Some(Ok(MacroArgs::Matches(..)))));
        let m: Macro = syn::parse_quote!(my_macro!(a b c));
        assert!(parse_known(&m).is_none());
    }

    #[test]
    fn finds_awaits_and_captures() {
        let t: TokenStream = quote!(a, (b.await));
        assert!(tokens_await(&t).is_some());
        assert!(tokens_await(&quote!(a.b)).is_none());
        let l: syn::LitStr = syn::parse_quote!("{x} {{y}} {z:?} {0} {}");
        assert_eq!(format_captures(&l), ["x", "z"]);
    }
}
