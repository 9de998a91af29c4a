//! Equivalence cases whose native behaviour depends on the edition, compiled as edition 2021
//! (tests/Cargo.toml): before 2024, an `if let`'s scrutinee temporaries live to the end of the
//! `if let`, through its `else` block. The same cases run as edition 2024 in equivalence.rs.

#![allow(clippy::all, dead_code, unused_mut)]

mod support;
use support::*;

include!("../case_macro.rs");

include!("../cases_edition.rs");

case! {
    name: if_let_in_loop_with_continue_and_break,
    async fn () -> u64 {
        let mut acc = 0u64;
        for i in 0..4u64 {
            if let Some(x) = Noisy::new("s").len().checked_sub(i as usize) {
                if x == 0 {
                    continue;
                }
                acc += leaf("a", 1, x as u64).await;
            } else {
                if i == 3 {
                    break;
                }
                acc += leaf("b", 1, i).await;
            }
        }
        acc
    }
    call: ()
}
case! {
    name: if_let_else_if_let_chain_awaiting_then,
    async fn (n: u64) -> u64 {
        let r = if let Some(x) = Noisy::new("s").len().checked_sub(100) {
            x as u64
        } else if let Some(y) = Noisy::new("t").len().checked_sub(1) {
            log("elif");
            leaf("y", 1, y as u64).await
        } else {
            leaf("z", 1, 0u64).await
        };
        log("after");
        r + n
    }
    call: (3)
}
