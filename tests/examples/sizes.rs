//! Prints `size_of_val` of the native future and of its lowering for every equivalence case
//! (tests/cases.rs), with the ratio and the median: `cargo run -p awaitgraph-tests --example sizes`.
//!
//! Cases driven through a wrapper (`drive(f)`, methods) are measured through that wrapper, which
//! is the same for both; they are marked `*`.

#![allow(clippy::all, dead_code, unused_mut, unused_variables)]

#[path = "../tests/support/mod.rs"]
mod support;
use support::*;

/// The size of `f`, which is then forgotten: some cases' arguments panic when dropped.
fn size_of_forgotten<T>(f: T) -> usize {
    let n = std::mem::size_of_val(&f);
    std::mem::forget(f);
    n
}

fn main() {
    let mut rows: Vec<(&'static str, usize, usize, bool)> = Vec::new();
    macro_rules! case {
        (name: $name:ident, $(#[$m:meta])* async fn generic [$($g:tt)*] $params:tt -> $ret:ty $(where [$($w:tt)*])? $body:block call: $args:tt) => {{
            mod $name {
                #[allow(unused_imports)]
                use super::*;
                $(#[$m])* pub async fn native<$($g)*> $params -> $ret $(where $($w)*)? $body
                #[awaitgraph::state_machine]
                $(#[$m])* pub async fn lowered<$($g)*> $params -> $ret $(where $($w)*)? $body
                pub fn sizes() -> (usize, usize) {
                    (size_of_forgotten(native $args), size_of_forgotten(lowered $args))
                }
            }
            let (a, b) = $name::sizes();
            rows.push((stringify!($name), a, b, false));
        }};
        (name: $name:ident, $(#[$m:meta])* async fn $params:tt -> $ret:ty $body:block call: $args:tt) => {{
            mod $name {
                #[allow(unused_imports)]
                use super::*;
                $(#[$m])* pub async fn native $params -> $ret $body
                #[awaitgraph::state_machine]
                $(#[$m])* pub async fn lowered $params -> $ret $body
                pub fn sizes() -> (usize, usize) {
                    (size_of_forgotten(native $args), size_of_forgotten(lowered $args))
                }
            }
            let (a, b) = $name::sizes();
            rows.push((stringify!($name), a, b, false));
        }};
        (name: $name:ident, $(#[$m:meta])* async fn $params:tt -> $ret:ty $body:block drive($f:ident): $drive:block) => {{
            mod $name {
                #[allow(unused_imports)]
                use super::*;
                $(#[$m])* pub async fn native $params -> $ret $body
                #[awaitgraph::state_machine]
                $(#[$m])* pub async fn lowered $params -> $ret $body
                pub fn sizes() -> (usize, usize) {
                    let a = { let $f = native; async move $drive };
                    let b = { let $f = lowered; async move $drive };
                    (std::mem::size_of_val(&a), std::mem::size_of_val(&b))
                }
            }
            let (a, b) = $name::sizes();
            rows.push((stringify!($name), a, b, true));
        }};
        (name: $name:ident, items: { $($items:item)* } on: $ty:ty, async fn $params:tt -> $ret:ty $body:block drive($f:ident): $drive:block) => {{
            mod $name {
                #[allow(unused_imports)]
                use super::*;
                $($items)*
                impl $ty {
                    pub async fn native $params -> $ret $body
                    #[awaitgraph::state_machine]
                    pub async fn lowered $params -> $ret $body
                }
                pub fn sizes() -> (usize, usize) {
                    let a = { let $f = <$ty>::native; async move $drive };
                    let b = { let $f = <$ty>::lowered; async move $drive };
                    (std::mem::size_of_val(&a), std::mem::size_of_val(&b))
                }
            }
            let (a, b) = $name::sizes();
            rows.push((stringify!($name), a, b, true));
        }};
    }
    macro_rules! cases {
        ($($t:tt)*) => {{ $($t)* }};
    }
    include!("../cases.rs");
    include!("../cases_edition.rs");
    let _ = take_log();

    println!(
        "{:<40} {:>8} {:>8} {:>7}",
        "case", "native", "lowered", "ratio"
    );
    let mut ratios = Vec::new();
    let mut above = Vec::new();
    for (name, a, b, driven) in &rows {
        let r = *b as f64 / *a as f64;
        ratios.push(r);
        if r > 1.0 {
            above.push(*name);
        }
        let mark = if *driven { "*" } else { "" };
        println!(
            "{:<40} {:>8} {:>8} {:>7.3}",
            format!("{name}{mark}"),
            a,
            b,
            r
        );
    }
    ratios.sort_by(|a, b| a.total_cmp(b));
    let median = if ratios.is_empty() {
        f64::NAN
    } else if ratios.len() % 2 == 1 {
        ratios[ratios.len() / 2]
    } else {
        (ratios[ratios.len() / 2 - 1] + ratios[ratios.len() / 2]) / 2.0
    };
    println!();
    println!(
        "cases: {}, median ratio lowered/native: {median:.3}",
        rows.len()
    );
    println!(
        "cases above 1.0: {}",
        if above.is_empty() {
            "none".to_string()
        } else {
            above.join(", ")
        }
    );
}
