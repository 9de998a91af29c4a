//! Native async fns and their lowering by `#[awaitgraph::state_machine]`, compared on the same
//! inputs: outputs, event logs, poll counts, panics, and drops at every possible point.

#![allow(clippy::all, dead_code, unused_mut)]

mod support;
use support::*;

macro_rules! case {
    (name: $name:ident, $(#[$m:meta])* async fn generic [$($g:tt)*] $params:tt -> $ret:ty $(where [$($w:tt)*])? $body:block call: $args:tt) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            $(#[$m])* pub async fn native<$($g)*> $params -> $ret $(where $($w)*)? $body
            #[awaitgraph::state_machine]
            $(#[$m])* pub async fn lowered<$($g)*> $params -> $ret $(where $($w)*)? $body
            #[test]
            fn equivalent() {
                check(|| native $args, || lowered $args);
            }
        }
    };
    (name: $name:ident, $(#[$m:meta])* async fn $params:tt -> $ret:ty $body:block call: $args:tt) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            $(#[$m])* pub async fn native $params -> $ret $body
            #[awaitgraph::state_machine]
            $(#[$m])* pub async fn lowered $params -> $ret $body
            #[test]
            fn equivalent() {
                check(|| native $args, || lowered $args);
            }
        }
    };
    (name: $name:ident, $(#[$m:meta])* async fn $params:tt -> $ret:ty $body:block drive($f:ident): $drive:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            $(#[$m])* pub async fn native $params -> $ret $body
            #[awaitgraph::state_machine]
            $(#[$m])* pub async fn lowered $params -> $ret $body
            #[test]
            fn equivalent() {
                check(|| { let $f = native; async move $drive }, || { let $f = lowered; async move $drive });
            }
        }
    };
    (name: $name:ident, items: { $($items:item)* } on: $ty:ty, async fn $params:tt -> $ret:ty $body:block drive($f:ident): $drive:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            $($items)*
            impl $ty {
                pub async fn native $params -> $ret $body
                #[awaitgraph::state_machine]
                pub async fn lowered $params -> $ret $body
            }
            #[test]
            fn equivalent() {
                check(|| { let $f = <$ty>::native; async move $drive }, || { let $f = <$ty>::lowered; async move $drive });
            }
        }
    };
}

macro_rules! cases {
    ($($t:tt)*) => { $($t)* };
}

include!("../cases.rs");
