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
const AWAITING_MACROS: &[&str] = &["join", "try_join", "select", "select_biased"];

/// `join!`/`try_join!` (every argument a future, all built first, then polled together) or
/// `select!`/`select_biased!` (branches): they await inside their expansion, so the lowering
/// awaits each as one future, `async { join!(..) }.await` (see [`crate::rewrite`]).
pub fn is_awaiting(mac: &Macro) -> bool {
    AWAITING_MACROS.contains(&name(mac).as_str())
}

/// The span of the macro's name (`select` in `tokio::select!`).
pub fn name_span(mac: &Macro) -> Option<proc_macro2::Span> {
    mac.path.segments.last().map(|s| s.ident.span())
}

/// Whether `mac` is `select!`-like (branches) rather than `join!`-like (arguments).
pub fn is_select(mac: &Macro) -> bool {
    matches!(name(mac).as_str(), "select" | "select_biased")
}

/// One branch of a `select!`: `pattern = future [, if condition] => handler`; `else =>`
/// (tokio), `complete =>` and `default =>` (futures) have only a handler.
pub struct SelectBranch {
    /// `else`, `complete` or `default` for a branch without a future.
    pub keyword: Option<TokenTree>,
    /// The pattern the future's output is matched against.
    pub pat: Option<syn::Pat>,
    /// The future (built, with every other branch's, when the `select!` starts).
    pub fut: Option<Expr>,
    /// The precondition (evaluated first).
    pub cond: Option<Expr>,
    /// The code run when this branch is taken (only then).
    pub handler: Expr,
}

/// A parsed `select!`.
pub struct Select {
    /// `biased;` first.
    pub biased: Option<TokenStream>,
    /// Its branches, in order.
    pub branches: Vec<SelectBranch>,
}

impl Select {
    /// The first `return`, `?`, `break` or `continue` (see [`leaving_token`]) in a branch's
    /// future or condition: those run when the `select!` starts, in the block it is awaited
    /// in, which they would leave instead of the fn or its loop.
    pub fn leaving_outside_handlers(&self) -> Option<(String, proc_macro2::Span)> {
        self.branches
            .iter()
            .flat_map(|b| [b.fut.as_ref(), b.cond.as_ref()])
            .flatten()
            .find_map(|e| leaving_token(&e.to_token_stream()))
    }

    /// The tokens to put back between the macro's delimiters.
    pub fn to_tokens(&self) -> TokenStream {
        let mut out = self.biased.clone().unwrap_or_default();
        for b in &self.branches {
            if let Some(k) = &b.keyword {
                out.extend([k.clone()]);
            }
            if let (Some(p), Some(f)) = (&b.pat, &b.fut) {
                out.extend(quote!(#p = #f));
            }
            if let Some(c) = &b.cond {
                out.extend(quote!(, if #c));
            }
            let h = &b.handler;
            out.extend(quote!(=> #h,));
        }
        out
    }
}

/// Parses a `select!`'s tokens (tokio's grammar, which covers the futures crate's: an optional
/// `biased;`, then `pattern = future [, if condition] => handler` separated by commas; a handler
/// that is a block needs no comma).
pub fn parse_select(tokens: TokenStream) -> syn::Result<Select> {
    let parser = |input: ParseStream<'_>| {
        let mut biased = None;
        if input.peek(syn::Ident) && input.peek2(Token![;]) {
            let fork = input.fork();
            let id: syn::Ident = fork.parse()?;
            if id == "biased" {
                let id: syn::Ident = input.parse()?;
                let semi: Token![;] = input.parse()?;
                biased = Some(quote!(#id #semi));
            }
        }
        let mut out = Vec::new();
        while !input.is_empty() {
            let bare = input.peek2(Token![=>])
                && (input.peek(Token![else]) || {
                    let fork = input.fork();
                    fork.parse::<syn::Ident>()
                        .is_ok_and(|i| i == "complete" || i == "default")
                });
            let (keyword, pat, fut, cond) = if bare {
                (Some(input.parse::<TokenTree>()?), None, None, None)
            } else {
                let pat = syn::Pat::parse_multi_with_leading_vert(input)?;
                let _: Token![=] = input.parse()?;
                let fut: Expr = input.parse()?;
                let cond = if input.peek(Token![,]) && input.peek2(Token![if]) {
                    let _: Token![,] = input.parse()?;
                    let _: Token![if] = input.parse()?;
                    Some(input.parse::<Expr>()?)
                } else {
                    None
                };
                (None, Some(pat), Some(fut), cond)
            };
            let _: Token![=>] = input.parse()?;
            let handler = if input.peek(syn::token::Brace) {
                let block: syn::Block = input.parse()?;
                let _: Option<Token![,]> = input.parse()?;
                Expr::Block(syn::ExprBlock {
                    attrs: Vec::new(),
                    label: None,
                    block,
                })
            } else {
                let e: Expr = input.parse()?;
                if !input.is_empty() {
                    let _: Token![,] = input.parse()?;
                }
                e
            };
            out.push(SelectBranch {
                keyword,
                pat,
                fut,
                cond,
                handler,
            });
        }
        Ok(Select {
            biased,
            branches: out,
        })
    };
    parser.parse2(tokens)
}

/// The first `return`, `?`, `break` or `continue` in the tokens that would leave an `async`
/// block around them: outside the `async` blocks they contain, and (`break`, `continue` without
/// a label) outside their loops. Those in closures count too (where a closure ends is not
/// visible in tokens): a refusal, never a changed meaning. In the fn they leave the fn or its loop;
/// in the block awaitgraph awaits a `join!`/`select!` as, they would leave only the block.
pub fn leaving_token(tokens: &TokenStream) -> Option<(String, proc_macro2::Span)> {
    fn walk(tokens: &TokenStream, in_loop: bool) -> Option<(String, proc_macro2::Span)> {
        let tts: Vec<TokenTree> = tokens.clone().into_iter().collect();
        // The next brace group is a loop's body / a nested future's or closure's body.
        let mut loop_body = false;
        let mut own_body = false;
        for (i, tt) in tts.iter().enumerate() {
            match tt {
                TokenTree::Ident(id) => {
                    let s = id.to_string();
                    match s.as_str() {
                        "return" => return Some((s, id.span())),
                        "break" | "continue" => {
                            let labelled = matches!(tts.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == '\'');
                            // (`break '__flow ..` leaves the lowering's own block, inside.)
                            let flow = labelled
                                && matches!(tts.get(i + 2), Some(TokenTree::Ident(l)) if l == crate::rewrite::FLOW_LABEL);
                            if (!in_loop || labelled) && !flow {
                                return Some((s, id.span()));
                            }
                        }
                        "loop" | "while" | "for" => loop_body = true,
                        "async" => own_body = true,
                        _ => {}
                    }
                }
                TokenTree::Punct(p) if p.as_char() == '?' => {
                    return Some(("?".to_string(), p.span()));
                }
                TokenTree::Group(g) => {
                    let brace = g.delimiter() == proc_macro2::Delimiter::Brace;
                    if brace && own_body {
                        own_body = false;
                        continue;
                    }
                    let inner = in_loop || (brace && loop_body);
                    if brace {
                        loop_body = false;
                    }
                    if let Some(found) = walk(&g.stream(), inner) {
                        return Some(found);
                    }
                }
                _ => {}
            }
        }
        None
    }
    walk(tokens, false)
}

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
    if name == "join" || name == "try_join" {
        // Every argument is a future, built in order when the macro starts (`biased;` first
        // is left opaque).
        return Some(
            Punctuated::<Expr, Token![,]>::parse_terminated
                .parse2(mac.tokens.clone())
                .map(MacroArgs::Exprs),
        );
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

/// The assertion macros whose arguments do not all run: `debug_assert*!` runs nothing without
/// `debug_assertions`, and an assertion's message arguments run only when it fails. When such
/// an argument awaits, hoisting the await before the macro would run it always: the macro is
/// rewritten to what std expands it to, with the control flow visible to the lowering.
/// - `debug_assert!(..)`, `debug_assert_eq!(..)`, `debug_assert_ne!(..)` with an await →
///   `if ::core::cfg!(debug_assertions) { ::core::assert!(..) }` (`assert_eq`, `assert_ne`);
/// - `assert!(c, "..", args)` with an await in the message → `if !(c) { ::core::panic!("..",
///   args) }` (the message it panics with is the formatted message alone);
/// - `assert_eq!`/`assert_ne!` with an await in the message: an error (std's message holds
///   both values, which would have to be kept borrowed across that await).
///
/// `None` when the macro runs all its arguments (or has no await).
pub fn lazy_form(mac: &Macro) -> Option<syn::Result<Expr>> {
    // (The name first: most macros are none of these, and their tokens are not scanned.)
    let name = name(mac);
    let plain = name.strip_prefix("debug_").unwrap_or(&name);
    if !matches!(plain, "assert" | "assert_eq" | "assert_ne") {
        return None;
    }
    let tokens = &mac.tokens;
    tokens_await(tokens)?;
    let span = name_span(mac).unwrap_or_else(proc_macro2::Span::call_site);
    if plain != name {
        let plain = proc_macro2::Ident::new(plain, span);
        let tokens = quote::quote_spanned! {span=>
            if ::core::cfg!(debug_assertions) { ::core::#plain!(#tokens) }
        };
        return Some(syn::parse2(tokens));
    }
    let Some(Ok(MacroArgs::Exprs(args))) = parse_known(mac) else {
        return None;
    };
    let message_start = format_string_index(&name)?;
    let await_in_message = args
        .iter()
        .skip(message_start)
        .find_map(crate::normalize::first_await)?;
    if name != "assert" {
        let fails = if name == "assert_eq" { "!=" } else { "==" };
        return Some(Err(syn::Error::new(
            await_in_message,
            format!(
                "#[state_machine] does not lower an `.await` in the message of `{name}!`: it runs only when the assertion fails, and the message also shows both values, borrowed across that await; await before it, or write the check out: `if a {fails} b {{ panic!(\"..{{}}\", x.await) }}`"
            ),
        )));
    }
    let cond = args.first()?;
    let message = args.iter().skip(1);
    // The `if !(..)` is ours (lints such as `nonminimal_bool` on `!(!x)` do not apply); the
    // `panic!` is located at the assertion, as std's is.
    let panic = quote::quote_spanned!(span=> ::core::panic!(#(#message),*));
    Some(syn::parse2(quote!(if !(#cond) { #panic })))
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
