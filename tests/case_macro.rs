// The `case!` and `cases!` macros of the equivalence tests: each case becomes a module with the
// native fn, its `#[awaitgraph::state_machine]` lowering and a test comparing them with
// `check`. Included by tests/tests/equivalence.rs (tests/cases.rs) and tests/tests/generated.rs
// (the programs written by tests/build.rs).

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
        case! { name: $name, $(#[$m])* async fn generic [] $params -> $ret $body call: $args }
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
