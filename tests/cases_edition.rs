// Cases whose native behaviour depends on the edition: included by tests/tests/equivalence.rs
// (edition 2024) and tests/tests/edition2021.rs (edition 2021). From 2024 on, the temporaries
// of an `if let`'s scrutinee drop before its `else` block runs; before, at the end of the
// `if let`. The lowering reads the edition from rustc's command line. (Where the `then` block
// awaits and the scrutinee holds temporaries, 2024 refuses: tests/ui/refused/
// if_let_temporaries_then_awaits.rs; those cases run as 2021 only, in tests/tests/edition2021.rs.)
cases! {
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
            y as u64
        } else {
            leaf("z", 1, 0u64).await
        };
        log("after");
        r + leaf("n", 1, n).await
    }
    call: (3)
}
case! {
    // The `then` block awaits but the scrutinee is a place: no temporaries, a `match` is exact.
    name: if_let_place_scrutinee_awaits_in_both,
    async fn (o: Option<u64>) -> u64 {
        let n = Noisy::new("n");
        if let Some(x) = o {
            leaf("t", 1, x).await + n.len() as u64
        } else {
            log("else");
            leaf("e", 1, 0u64).await
        }
    }
    call: (Some(4))
}
case! {
    name: if_let_awaited_value_not_matching_drops_before_else,
    async fn (ok: bool) -> usize {
        let r: Result<usize, Noisy> = if ok { Ok(1) } else { Err(Noisy::new("err")) };
        if let Ok(x) = leaf("a", 1, r).await {
            leaf("t", 1, x).await
        } else {
            log("else");
            leaf("e", 1, 7usize).await
        }
    }
    call: (false)
}
case! {
    name: if_let_call_value_not_matching_drops_before_else,
    async fn (ok: bool) -> usize {
        let make = |ok: bool| -> Result<usize, Noisy> { if ok { Ok(1) } else { Err(Noisy::new("err")) } };
        if let Ok(x) = make(ok) {
            leaf("t", 1, x).await
        } else {
            log("else");
            leaf("e", 1, 7usize).await
        }
    }
    call: (false)
}
case! {
    name: if_let_without_await_in_awaited_argument,
    async fn (v: u64) -> u64 {
        // 2021: the scrutinee's value lives to the end of the statement (after the await);
        // 2024: to the end of the `if let` (the `then` block) or before the `else` block.
        let x = leaf("outer", 2, if let Ok(k) = noisy_result(v, "r") { k } else { log("else"); 5 }).await;
        let y = leaf("outer2", 1, if let Some((k, _)) = noisy_option(v, "o") { k } else { 0 }).await;
        x + y
    }
    call: (1)
}
case! {
    name: block_tail_temporary_in_awaited_argument,
    async fn (v: u64) -> u64 {
        // 2021: the temporaries of a block's tail expression live to the end of the enclosing
        // statement (after the await); 2024: to the end of the block.
        let x = leaf("outer", 2, { log("in block"); Noisy::new("t").len() as u64 + v }).await;
        x
    }
    call: (1)
}
}
