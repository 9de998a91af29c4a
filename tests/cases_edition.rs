// Cases whose native behaviour depends on the edition: included by tests/tests/equivalence.rs
// (edition 2024) and tests/tests/edition2021.rs (edition 2021). From 2024 on, the temporaries
// of an `if let`'s scrutinee drop before its `else` block runs; before, at the end of the
// `if let`. The lowering reads the edition from rustc's command line.
case! {
    name: if_let_temporary_scrutinee_await_in_else,
    async fn () -> u64 {
        if let Some(x) = Noisy::new("s").len().checked_sub(100) {
            log("then");
            x as u64
        } else {
            leaf("e", 1, 5u64).await
        }
    }
    call: ()
}
case! {
    name: if_let_temporary_scrutinee_await_in_then,
    async fn () -> u64 {
        if let Some(x) = Noisy::new("s").len().checked_sub(1) {
            leaf("t", 1, x as u64).await
        } else {
            log("else");
            3
        }
    }
    call: ()
}
case! {
    name: if_let_await_in_scrutinee_and_else,
    async fn () -> u64 {
        if let Some(x) = (Noisy::new("s").len() as u64 + leaf("a", 1, 2u64).await).checked_sub(100) {
            log("then");
            x
        } else {
            log("else");
            leaf("e", 1, 5u64).await
        }
    }
    call: ()
}
case! {
    name: if_let_await_only_in_scrutinee,
    async fn () -> u64 {
        let r = 1 + if let Some(x) = (Noisy::new("s").len() as u64 + leaf("a", 1, 2u64).await).checked_sub(100) {
            log("then");
            x
        } else {
            log("else");
            7
        };
        log("after");
        r
    }
    call: ()
}
case! {
    name: if_let_else_if_let_chain,
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
