// Cases whose native behaviour depends on the edition: included by tests/tests/equivalence.rs
// (edition 2024) and tests/tests/edition2021.rs (edition 2021). From 2024 on, the temporaries
// of an `if let`'s scrutinee drop before its `else` block runs; before, at the end of the
// `if let`; and the temporaries of a block's tail expression drop after the block's locals
// before 2024, before them from 2024 on. The lowering reads the edition from rustc's command
// line. (Where 2021 cannot be lowered in order, a branch, arm or loop body resumed after an
// await whose tail holds temporaries and that declares locals, it refuses: tests/ui2021.)
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
// ---- labelled blocks with awaits (the tail holds no temporaries: lowered in both editions) ----
case! {
    name: labelled_block_breaking_with_value_after_await,
    async fn (v: u64) -> u64 {
        let _a = Noisy::new("a");
        let x = 'b: {
            let n = Noisy::new("in block");
            let k = leaf("first", 1, v).await;
            if k > 2 {
                break 'b k + n.len() as u64;
            }
            let m = Noisy::new("m");
            leaf("second", 1, k + m.len() as u64).await
        };
        leaf("after", 1, x).await
    }
    drive(f): { f(1).await + f(3).await }
}
case! {
    name: labelled_block_in_loop_with_jumps_to_the_loop,
    async fn (v: u64) -> u64 {
        let mut total = 0;
        'outer: for i in 0..v {
            let _i = Noisy::new("iteration");
            'b: {
                let n = Noisy::new("n");
                if leaf("check", 1, i).await % 2 == 0 {
                    break 'b;
                }
                if i == 3 {
                    continue 'outer;
                }
                if i == 5 {
                    break 'outer;
                }
                total += leaf("odd", 1, i + n.len() as u64).await;
            }
            total += 1;
        }
        total
    }
    drive(f): { f(3).await + f(7).await }
}
case! {
    name: labelled_block_as_operand_between_temporaries,
    async fn (v: u64) -> u64 {
        let y = Noisy::new("t").len() as u64
            + 'b: {
                let _n = Noisy::new("n");
                if v > 1 {
                    break 'b leaf("x", 1, v).await;
                }
                0
            }
            + leaf("z", 1, 1u64).await;
        y
    }
    drive(f): { f(1).await + f(3).await }
}
case! {
    name: labelled_blocks_nested_breaking_to_the_outer,
    async fn (v: u64) -> u64 {
        let r = 'outer: {
            let _a = Noisy::new("a");
            'inner: {
                let _b = Noisy::new("b");
                if leaf("q", 1, v).await > 2 {
                    break 'outer 1;
                }
                if v == 2 {
                    break 'inner;
                }
                let _c = Noisy::new("c");
                leaf("c", 1, v).await;
            }
            leaf("w", 1, v).await
        };
        r
    }
    drive(f): { f(1).await + f(2).await + f(3).await }
}
// ---- `if let .. else` whose `then` block awaits and whose scrutinee holds temporaries ----
// (2024: they drop before `else`, lowered as a one-operand let chain; 2021: at its end, a `match`)
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
    name: if_let_temporary_scrutinee_await_in_then_both_paths,
    async fn (v: u64) -> u64 {
        let _a = Noisy::new("a");
        let r = if let Ok(k) = noisy_result(Noisy::new("s").len() as u64 + v, "r") {
            let _t = Noisy::new("then");
            leaf("t", 1, k).await + 1
        } else {
            log("else");
            leaf("e", 1, v).await
        };
        r + leaf("after", 1, 1u64).await
    }
    drive(f): { f(0).await + f(1).await }
}
// ---- tails with temporaries in blocks the lowering rewrites: 2021 drops them after the block's
// locals, 2024 before (the generated braces and `'__body` take the user's edition) ----
case! {
    name: fn_tail_temporaries,
    async fn (v: u64) -> u64 {
        let _a = Noisy::new("a");
        let k = leaf("k", 1, v).await;
        Noisy::new("tail").len() as u64 + k
    }
    drive(f): { f(1).await }
}
case! {
    name: block_statement_with_tail_temporaries,
    async fn (v: u64) -> u64 {
        let _a = Noisy::new("a");
        let r = {
            let _l = Noisy::new("local");
            let k = leaf("k", 1, v).await;
            Noisy::new("tail").len() as u64 + k
        };
        r + leaf("after", 1, 1u64).await
    }
    drive(f): { f(1).await + f(3).await }
}
case! {
    name: labelled_block_statement_with_tail_temporaries,
    async fn (v: u64) -> u64 {
        let _a = Noisy::new("a");
        let r = 'b: {
            let _l = Noisy::new("local");
            let k = leaf("k", 1, v).await;
            if k == 3 {
                break 'b Noisy::new("broken").len() as u64;
            }
            Noisy::new("tail").len() as u64 + k
        };
        r + leaf("after", 1, 1u64).await
    }
    drive(f): { f(1).await + f(3).await }
}
case! {
    name: branch_without_await_tail_temporaries_next_to_awaiting_branch,
    async fn (v: u64) -> u64 {
        // The branch without awaits is written natively, in braces of the user's edition.
        let _a = Noisy::new("a");
        let r = if v > 1 {
            let _l = Noisy::new("local");
            Noisy::new("tail").len() as u64 + v
        } else {
            leaf("else", 1, v).await
        };
        let s = match v {
            0 => leaf("zero", 1, 0u64).await,
            _ => {
                let _m = Noisy::new("arm local");
                Noisy::new("arm tail").len() as u64
            }
        };
        r + s
    }
    drive(f): { f(0).await + f(2).await }
}
case! {
    name: branch_without_locals_tail_temporaries_after_await,
    async fn (k: u64) -> u64 {
        let outer = Noisy::new("outer");
        let r = if k > 0 {
            leaf("a", 1, 1u64).await;
            Noisy::new("t").len() as u64 + outer.len() as u64
        } else {
            0
        };
        log("after");
        r
    }
    call: (1)
}
case! {
    name: arm_without_locals_if_let_tail_after_await,
    async fn (k: u64) -> u64 {
        let r = match k {
            0 => 5,
            j => {
                leaf("a", 1, j).await;
                if let Some(x) = Noisy::new("s").len().checked_sub(j as usize) {
                    x as u64
                } else {
                    log("else");
                    0
                }
            }
        };
        log("after");
        r
    }
    call: (1)
}
case! {
    name: loop_body_without_locals_if_let_tail_after_await,
    async fn (k: u64) -> u64 {
        let mut n = 0;
        while n < k {
            n += leaf("a", 1, 1u64).await;
            if let Some(x) = Noisy::new("s").len().checked_sub(n as usize) { n += x as u64 }
        }
        log("after");
        n
    }
    call: (3)
}
case! {
    name: while_let_body_without_locals_tail_temporaries_after_await,
    async fn (k: u64) -> u64 {
        let mut v: Vec<u64> = (0..k).collect();
        let mut n = 0;
        while let Some(x) = v.pop() {
            n += leaf("a", 1, x).await;
            if let Some(y) = Noisy::new("s").len().checked_sub(x as usize) { n += y as u64 }
        }
        log("after");
        n
    }
    call: (3)
}
case! {
    name: for_body_without_locals_tail_temporaries_after_await,
    async fn (k: u64) -> u64 {
        let mut n = 0;
        for i in (0..k).map(|i| (i, Noisy::new("item"))) {
            n += leaf("a", 1, i.0).await;
            log(Noisy::new("t").len().to_string())
        }
        log("after");
        n
    }
    call: (2)
}
case! {
    name: resumed_branch_with_local_ending_in_if_with_tail_temporaries,
    async fn (k: u64) -> u64 {
        let r = if k > 0 {
            let local = Noisy::new("local");
            let a = leaf("a", 1, k).await;
            if a > 1 {
                leaf("b", 1, a).await;
                Noisy::new("t").len() as u64 + local.len() as u64
            } else {
                match k {
                    1 => Noisy::new("m").len() as u64,
                    _ => 0,
                }
            }
        } else {
            0
        };
        log("after");
        r
    }
    drive(f): { f(1).await + f(2).await }
}
case! {
    name: fn_tail_temporary_before_await_with_locals,
    async fn (k: u64) -> u64 {
        let n = Noisy::new("n");
        let m = Noisy::new("m");
        log("body");
        Noisy::new("t").len() as u64 + leaf("a", 1, k).await + n.len() as u64 + m.len() as u64
    }
    call: (2)
}
case! {
    name: fn_tail_temporaries_around_awaits_with_locals,
    async fn (k: u64) -> Option<u64> {
        let n = Noisy::new("n");
        Some(
            (Noisy::new("t1").len() as u64 + leaf("a", 1, k).await)
                ^ (Noisy::new("t2").len() as u64 + helper_opt("h", 1, Some(n.len() as u64)).await?),
        )
    }
    call: (3)
}
case! {
    name: fn_tail_awaited_value_as_temporary_with_locals,
    async fn (k: u64) -> u64 {
        let n = Noisy::new("n");
        leaf("a", 1, Noisy::new("out")).await.len() as u64 + k + n.len() as u64
    }
    call: (1)
}
case! {
    name: block_tail_temporary_before_await_with_locals,
    async fn (k: u64) -> u64 {
        let r = {
            let n = Noisy::new("n");
            Noisy::new("t").len() as u64 + leaf("a", 1, k).await + n.len() as u64
        };
        log("after");
        r
    }
    call: (1)
}
case! {
    name: fn_tail_temporaries_before_and_after_await_with_locals,
    async fn (k: u64) -> u64 {
        let n = Noisy::new("n");
        Noisy::new("t1").len() as u64 + leaf("a", 1, k).await + Noisy::new("t2").len() as u64 + n.len() as u64
    }
    call: (1)
}
case! {
    name: fn_tail_temporaries_before_and_after_await_without_locals,
    async fn (k: u64) -> u64 {
        Noisy::new("t1").len() as u64 + leaf("a", 1, k).await + Noisy::new("t2").len() as u64
    }
    call: (1)
}
case! {
    name: statement_temporaries_before_and_after_await,
    async fn (k: u64) -> u64 {
        let n = Noisy::new("n");
        let x = Noisy::new("t1").len() as u64 + leaf("a", 1, k).await + Noisy::new("t2").len() as u64;
        log((Noisy::new("t3").len() as u64 + leaf("b", 1, k).await + Noisy::new("t4").len() as u64).to_string());
        log("after");
        x + n.len() as u64
    }
    call: (1)
}
case! {
    name: resumed_branch_with_local_if_let_tail_with_temporaries,
    async fn (k: u64) -> u64 {
        let r = if k > 0 {
            let _local = Noisy::new("local");
            let a = leaf("a", 1, 1u64).await;
            if let Some(x) = Noisy::new("scrut").len().checked_sub(0) { x as u64 + a } else { 0 }
        } else {
            0
        };
        log("after");
        r
    }
    call: (1)
}
case! {
    name: resumed_arm_with_local_if_let_tail_with_temporaries,
    async fn (k: u64) -> u64 {
        let r = match k {
            1 => {
                let local = Noisy::new("local");
                let a = leaf("a", 1, 1u64).await;
                if let Some(x) = Noisy::new("scrut").len().checked_sub(100) {
                    x as u64 + a
                } else {
                    log("else");
                    local.len() as u64
                }
            }
            _ => 0,
        };
        log("after");
        r
    }
    call: (1)
}
case! {
    name: loop_body_with_local_if_let_tail_with_temporaries,
    async fn (k: u64) -> u64 {
        let mut n = 0;
        while n < k {
            let local = Noisy::new("local");
            n += leaf("a", 1, 1u64).await;
            if let Some(x) = Noisy::new("scrut").len().checked_sub(0) {
                n += x as u64 + local.len() as u64 - 1;
            }
        }
        log("after");
        n
    }
    call: (2)
}
case! {
    name: resumed_branch_with_local_tail_temporaries_around_await,
    async fn (k: u64) -> u64 {
        let r = if k > 0 {
            let _local = Noisy::new("local");
            let a = leaf("a", 1, k).await;
            Noisy::new("t1").len() as u64 + leaf("b", 1, a).await + Noisy::new("t2").len() as u64
        } else {
            0
        };
        log("after");
        r
    }
    drive(f): { f(0).await + f(2).await }
}
case! {
    name: for_body_with_local_tail_temporaries,
    async fn (k: u64) -> u64 {
        let mut n = 0;
        for i in (0..k).map(|i| (i, Noisy::new("item"))) {
            let local = Noisy::new("local");
            n += leaf("a", 1, i.0).await + local.len() as u64;
            log(Noisy::new("t").len().to_string())
        }
        log("after");
        n
    }
    call: (2)
}
case! {
    name: or_left_operand_temporaries_around_await,
    async fn (k: u64) -> u64 {
        let n = Noisy::new("n");
        if (Noisy::new("t1").len() as u64 + leaf("a", 1, k).await) % 4 == 2
            || (Noisy::new("t2").len() as u64 + n.len() as u64) % 2 == 0
        {
            log("then");
        }
        let b = (Noisy::new("t3").len() as u64 + leaf("b", 1, k).await) % 2 == 0
            && Noisy::new("t4").len() > 0;
        log("after");
        k + u64::from(b)
    }
    drive(f): { f(1).await + f(2).await }
}
case! {
    name: fn_tail_match_scrutinee_value_kept_with_locals,
    async fn (k: u64) -> Option<u64> {
        let n = Noisy::new("n");
        Some(match noisy_result(k, "r") {
            Ok(v) => leaf("a", 1, v).await + n.len() as u64,
            Err(_) => 0,
        })
    }
    drive(f): { f(1).await.unwrap_or(0) + f(2).await.unwrap_or(0) }
}
case! {
    name: let_patterns_leaving_parts_with_temporaries_after_awaits,
    async fn (v: u64) -> u64 {
        // The parts a pattern leaves unbound (`_`, `..`) drop at the end of the statement, before
        // the statement's temporaries created earlier (`t1`, `t2`); also when the await in a
        // branch of the initializer does not run.
        let Some((a, _)) = noisy_option(leaf("a", 1, v).await + Noisy::new("t1").len() as u64, "e1") else {
            return 0;
        };
        let (b, _) = noisy_option({ let mut s = 1u64; if v == 1 { s += leaf("b", 1, 1u64).await; } s } + Noisy::new("t2").len() as u64, "e2").unwrap_or((0, Noisy::new("none")));
        let TwoNoisy { a: ref_a, .. } = TwoNoisy { a: Noisy::new("c"), b: Noisy::new("d") };
        let Some((mut c, _)) = noisy_option(Noisy::new("t3").len() as u64 + leaf("c", 1, 4u64).await, "e3") else {
            return 1;
        };
        c += ref_a.len() as u64;
        a + b + c
    }
    drive(f): { f(1).await + f(2).await + f(5).await }
}
// ---- a local moved in a branch that leaves (`return`, `break`): still there on the other
// paths, kept across their awaits and dropped at the end of its scope (found by generated
// program 42 of seed 120, edition 2021; both editions dropped it at the first await after) ----
case! {
    name: moved_in_diverging_branch,
    async fn (c: u64) -> u64 {
        let mut i = 0u64;
        loop {
            i += 1;
            let n = Noisy::new("n");
            if i == c { break n.into_len() as u64; }
            let x = leaf("a", 0, 1u64).await;
            log("after");
            if i > 2 { break x; }
        }
    }
    drive(f): { f(1).await + f(5).await }
}
case! {
    name: moved_in_diverging_branch_return,
    async fn (c: u64) -> u64 {
        let n = Noisy::new("n");
        if c == 1 { return n.into_len() as u64; }
        let x = leaf("a", 1, 1u64).await;
        log("after");
        x
    }
    drive(f): { f(1).await + f(5).await }
}
case! {
    name: moved_in_diverging_branch_awaiting_break_value,
    async fn (c: u64) -> u64 {
        let mut i = 0u64;
        loop {
            i += 1;
            let n = Noisy::new("n");
            if i == c { break { leaf("b", 1, 1u64).await; n.into_len() as u64 }; }
            let x = leaf("a", 0, 1u64).await;
            log("after");
            if i > 2 { break x; }
        }
    }
    drive(f): { f(1).await + f(5).await }
}
case! {
    name: moved_in_diverging_branch_awaiting_return,
    async fn (c: u64) -> u64 {
        let n = Noisy::new("n");
        if c == 1 { leaf("b", 1, 1u64).await; return n.into_len() as u64; }
        let x = leaf("a", 0, 1u64).await;
        log("after");
        x
    }
    drive(f): { f(1).await + f(5).await }
}
case! {
    name: outer_local_moved_in_breaking_branch_then_await_after_loop,
    async fn (k: u64) -> u64 {
        // Moved on the only way out of the loop: gone after it (not kept across the last await),
        // kept across the awaits of the iterations before.
        let n = Noisy::new("n");
        let mut i = 0u64;
        loop {
            i += 1;
            if i == k {
                leaf("b", 1, ()).await;
                drop(n);
                break;
            }
            leaf("a", 1, ()).await;
        }
        leaf("after", 1, i).await
    }
    drive(f): { f(1).await + f(3).await }
}
case! {
    name: shadowed_locals_in_inline_format_arguments,
    async fn (x: u64) -> u64 {
        // `{x}` names the latest `x`, which the lowering renames (the earlier ones are still
        // alive); so do `{w}` in `{:w$}` and the captures in `write!` and `assert!` messages.
        use std::fmt::Write;
        let x = x + 1;
        let w = 3usize;
        let x = leaf("a", 1, x * 2).await;
        let w = w + 1;
        let s = format!("{x}|{x:>w$}|{}", x + 1);
        log(s.clone());
        let mut t = String::new();
        write!(t, "{x}-{w}").unwrap();
        assert!(x > 0, "{x} {w}");
        let x = { leaf("b", 1, ()).await; s.len() as u64 + t.len() as u64 };
        log(format!("{x}"));
        x
    }
    drive(f): { f(1).await + f(20).await }
}
// `join!`/`select!` awaited as one future (`async { .. }.await`): in both editions.
case! {
    name: join_macro_borrowing_a_local_and_moving_a_future,
    async fn () -> u64 {
        // `fut` is moved into the `join!` (not kept after it); `n` is borrowed by it and kept.
        let n = Noisy::new("n");
        let fut = leaf("moved", 1, 5u64);
        let (a, b) = tokio::join!(helper_len(&n), fut);
        let d = Noisy::new("d");
        let c = leaf("c", 2, a + b).await;
        c + d.len() as u64 + n.len() as u64
    }
    call: ()
}
case! {
    name: select_macro_in_loop_deciding_break,
    async fn (n: u32) -> u32 {
        let mut got = 0;
        let keep = Noisy::new("keep");
        loop {
            let stop = tokio::select! {
                biased;
                v = leaf("a", got % 2, got) => v >= n,
                _ = leaf("b", 1, ()) => false,
            };
            got += 1;
            if stop {
                break;
            }
            leaf("tick", 1, ()).await;
        }
        got + keep.len() as u32
    }
    drive(f): { f(0).await + f(3).await }
}
case! {
    name: select_handlers_break_continue_return_and_question,
    async fn (n: u32) -> Result<u32, SmallError> {
        // The tokio idiom: `select!` in a loop whose handlers `break`, `continue`, `return` and
        // `?` (they run in the fn natively): each becomes a value of the block the `select!`
        // is awaited in, acted on after it (was refused).
        let keep = Noisy::new("keep");
        let mut got = 0u32;
        let mut rounds = 0u32;
        'outer: loop {
            rounds += 1;
            tokio::select! {
                biased;
                v = leaf("a", rounds % 2, rounds), if rounds < 9 => {
                    let t = Noisy::new("t");
                    if v == 2 {
                        continue;
                    }
                    for i in 0..v {
                        if i == 2 {
                            break;
                        }
                        got += i;
                    }
                    if v == n {
                        return Err(SmallError);
                    }
                    got += leaf("q", 0, if v == 6 { Err(SmallError) } else { Ok(v) }).await?;
                    if v > 4 {
                        break 'outer;
                    }
                    drop(t);
                }
                _ = leaf("b", 1, ()) => break,
            }
            log("round");
        }
        let v = loop {
            break tokio::select! {
                v = leaf("c", 1, got) => {
                    if v > 100 {
                        break v;
                    }
                    v + 1
                }
            };
        };
        Ok(v + keep.len() as u32)
    }
    drive(f): { (f(3).await, f(7).await, f(5).await) }
}
case! {
    name: select_inside_a_select_handler_leaving_the_loop,
    async fn (n: u64) -> u64 {
        // The inner `select!` runs in the outer one's handler: its handlers' exits leave the
        // outer block too (found by the generator).
        let mut i = 0u64;
        let _k = Noisy::new("k");
        'l: while i < 4 {
            i += 1;
            tokio::select! {
                biased;
                v = leaf("a", 1, i) => {
                    tokio::select! {
                        w = leaf("b", 1, v + n) => {
                            if w % 3 == 0 { continue 'l; }
                            if w > 5 { return w * 100; }
                        }
                    }
                    log("inner done");
                }
            }
            log("round");
        }
        i
    }
    drive(f): { f(0).await + f(1).await + f(2).await }
}
case! {
    name: for_loop_over_a_borrowed_local_awaited_as_one_future,
    async fn (k: u64) -> u64 {
        // The iterator borrows `items`, kept across the awaits of the body: the state cannot
        // hold both (was refused). The loop is awaited as one future, in a block that holds
        // `items` and what else the body uses; `continue 'outer` and `return` become values
        // of that block, acted on after it.
        let items = vec![Noisy::new("a"), Noisy::new("bb"), Noisy::new("ccc")];
        let mut total = 0u64;
        let after = Noisy::new("after");
        'outer: for round in 0..3u64 {
            for x in items.iter() {
                let t = Noisy::new("t");
                if x.len() as u64 + round == k {
                    continue 'outer;
                }
                if round == 2 && k == 0 {
                    return total;
                }
                total += helper_len(x).await + round;
                drop(t);
            }
            log("round");
        }
        for x in &items {
            if leaf("q", 1, x.len() as u64).await > 1 {
                break;
            }
        }
        total + items.len() as u64 + after.len() as u64
    }
    drive(f): { f(2).await + f(0).await + f(9).await }
}
case! {
    name: for_loop_over_a_borrowed_local_with_a_borrowed_receiver,
    async fn (k: u64) -> u64 {
        // The awaited call also borrows `tx`, declared before `xs` (was refused: the wrapper
        // of the call would have held the iterator and `xs` side by side).
        let tx = Noisy::new("tx");
        let xs = vec![1u64, 2, 3, 4];
        let mut sent = 0;
        for x in xs.iter().copied().filter(|x| x % 2 == 0) {
            sent += tx.ping().await as u64 * x + k;
        }
        sent + xs.len() as u64
    }
    drive(f): { f(1).await }
}
case! {
    name: moved_before_a_break_in_a_block_operand_of_an_awaiting_tail,
    async fn (k: u64) -> u64 {
        // The tail of a block with awaits: before 2024 its parts are assigned to holders
        // (`__e2 = u64::max(..)`), whose operands are forced like a `let`'s (generator, 2021
        // seed 401: E0382).
        let n2 = Noisy::new("n1");
        let n4 = Noisy::new("n3");
        let n4 = {
            log("b5");
            u64::max(
                n4.ping().await as u64,
                u64::max(3, { let mut s8 = 0u64; 'l8: for j8 in 0..1u64 { if j8 == k { drop(n2); break 'l8; } s8 += 19u64 + j8; } s8 })
                    ^ leaf("a9", 1, 4u64).await,
            )
        };
        n4
    }
    drive(f): { f(0).await + f(5).await }
}
// Generator, edition 2021 seed 414, program 54: `for n73 in &v73 { .. return Ok(x48) }` in a
// block operand without awaits was forced (`x48` moved on some paths), its iterator and `v73`
// then carried side by side by the jumps (E0505). Such a loop is no longer forced.
case! {
    name: gen_bug_for_loop_over_a_borrow_forced_for_a_return,
    #[allow(unused, unused_parens, path_statements, unused_comparisons, unused_labels)]
    async fn () -> Result<u64, SmallError> {
        let x2 = { log("b1"); (u64::max((helper("h3", 0, 2u64).await ^ 19u64), match (4u64) % 2 { 0 => { let Some((x7, n8)) = noisy_option(14u64, "e5") else { if (15u64) % 3 == 1 { return Ok(5u64); } let x6 = 17u64; return Ok(18u64); }; (n8.len() as u64) } k4 if k4 > (11u64) % 3 => { log("s9"); 3u64 } _ => { let x10 = 6u64; log("s11"); (leaf("t12", 0, Noisy::new("t12")).await.ping().await as u64) } }) + (format!("{}-{}", helper_res("h13", 2, Ok((format!("{}-{}", leaf("a14", 1, 0u64).await, 10u64).len() as u64))).await?, 1u64).len() as u64)) };
        let x46 = add3(16u64, 7u64, helper_res("h15", 1, Ok(sum_pair(({ let mut i16 = 0u64; let mut s16 = 0u64; 'l16: while i16 < 2 { i16 += 1; if (14u64) % 3 == 0 { let x17 = 19u64; if (13u64) % 3 == 0 { log("s18"); let mut x19 = 8u64; } else { if (x17) % 2 == 1 { return Ok(6u64); } let Some((x29, n30)) = noisy_option(8u64, "e20") else { if (15u64) % 2 == 1 { if (11u64) % 4 == 3 { break 'l16; } } else { let x21 = 7u64; let x23 = { log("b22"); 2u64 }; if (leaf("a24", 0, 4u64).await) % 4 == 1 { 8u64; log("s25"); } } let n27 = Noisy::new("n26"); return Err(SmallError); }; } leaf("a31", 2, 11u64).await; } else { let d32; if (12u64) % 2 == 0 { log("s33"); d32 = leaf("a34", 3, 14u64).await; } else { let x36 = { log("b35"); leaf("a37", 0, 3u64).await }; d32 = x2; } let n39 = Noisy::new("n38"); let x40 = 13u64; } if (17u64) % 4 == 1 { break 'l16; } let d41; if ((19u64) % 2 == 1 || (i16) % 3 == 0) { d41 = 7u64; } else { log("s42"); d41 = leaf("a43", 1, 6u64).await; } s16 += 8u64; } s16 }, add3(10u64, leaf("a44", 1, 18u64).await, leaf("a45", 2, 9u64).await))))).await?);
        if (x46) % 4 == 2 { return Err(SmallError); }
        let x48 = leaf("a47", 3, x2).await;
        Ok(match (('b49: { if (leaf("a50", 2, 1u64).await) % 4 == 3 { let x2 = 0u64; if (x46) % 3 == 1 { return Ok(0u64); } } leaf("a51", 2, 18u64).await; let x53 = { log("b52"); 6u64 }; let t56 = helper("h54", 1, leaf("a55", 0, 9u64).await).await; t56 } + { let mut i57 = 0u64; let mut s57 = 0u64; 'l57: while i57 < 1 { i57 += 1; i57; let t63 = if let Some(k59) = (Noisy::new("t59").len() as u64 + leaf("a58", 2, 16u64).await).checked_sub(2) { let x61 = leaf("a60", 2, Ok::<u64, SmallError>(17u64)).await? + 10u64; let mut x48 = 12u64; leaf("a62", 1, 19u64).await } else { x46 }; s57 += t63; } s57 })) % 4 { 0 => { let x71 = { let mut i65 = 0u64; let mut s65 = 0u64; 'l65: while i65 < 3 { i65 += 1; 1u64; let d66; if (19u64) % 4 == 2 { if (i65) % 3 == 2 { return Ok(7u64); } let mut x68 = leaf("a67", 3, 18u64).await; d66 = 2u64; } else { if (leaf("a69", 1, 0u64).await) % 2 == 1 { break ; } return Ok(8u64); } s65 += (format!("{}-{}", leaf("a70", 1, 5u64).await, 14u64).len() as u64); } s65 }; let x74 = (|x: u64| x ^ 72)({ let mut s73 = 0u64; let v73 = Vec::<Noisy>::from([Noisy::new("w73_0"), Noisy::new("w73_1")]); 'l73: for n73 in &v73 { if ((n73.len() as u64)) % 2 == 0 { return Ok(x48); } s73 += 6u64 + n73.len() as u64; } s73 + v73.len() as u64 }); ((Noisy::new("t75").len() as u64 + tokio::select! { biased; v = leaf("s76", 0, 0u64) => v ^ 7u64, v = leaf("r76", 0, 0u64) => v, }) + sum_pair((1u64, 'b77: { 14u64; let t78 = 2u64; t78 }))) } k64 if k64 > (2u64) % 3 => { if (((Noisy::new("t79").len() as u64 + { let mut i80 = 0u64; let mut s80 = 0u64; 'l80: while i80 < 0 { i80 += 1; let d81; if (18u64) % 2 == 0 { let x2 = leaf("a82", 2, 18u64).await; log("s83"); d81 = 17u64; } else { 6u64; d81 = 13u64; } let Some((x85, x48)) = noisy_option(9u64, "e84") else { return Ok(11u64); }; s80 += leaf("a86", 1, 10u64).await; } s80 })) % 3 == 1 || ({ let mut i87 = 0u64; let mut s87 = 0u64; 'l87: while let Some((w87, _)) = noisy_option(if i87 < 1 { i87 + 1 } else { 3 }, "o87") { i87 += 1; if (0u64) % 2 == 0 { let mut x2 = w87; if (3u64) % 4 == 2 { return Err(SmallError); } } let x46 = { log("b88"); 17u64 }; log("s89"); s87 += add3(leaf("a90", 1, 0u64).await, 3u64, leaf("a91", 2, 11u64).await) + w87; } s87 }) % 2 == 0) { log("s92"); log("s93"); leaf("a94", 1, 19u64).await; } if (((format!("{}-{x46}-{}", leaf("a95", 1, 16u64).await, 15u64).len() as u64) + if let Some(k97) = (Noisy::new("t97").len() as u64 + leaf("a96", 1, 9u64).await).checked_sub(1) { let x98 = x46; if ((12u64) % 2 == 0 || (leaf("a99", 0, 12u64).await) % 2 == 0) { if (9u64) % 3 == 1 { let x101 = { log("b100"); 5u64 }; } 19u64; if (leaf("a102", 2, 15u64).await) % 3 == 1 { let n104 = Noisy::new("n103"); 18u64; } } leaf("a105", 0, 6u64).await } else { log("s106"); let x108 = leaf("a107", 0, 4u64).await; 8u64 })) % 2 == 0 { leaf("a109", 1, Err::<u64, SmallError>(SmallError)).await?; log("s110"); } (format!("{}-{x46}-{}", add3(leaf("a111", 0, 15u64).await, { let mut i112 = 0u64; 'l112: loop { i112 += 1; leaf("a113", 1, 11u64).await; let mut x114 = 9u64; if i112 < 2 { continue 'l112; } break 'l112 (leaf("a115", 0, 17u64).await); } }, helper_res("h116", 1, Ok(13u64)).await?), leaf("a117", 0, 14u64).await).len() as u64) } _ => { { let mut i118 = 0u64; 'l118: loop { i118 += 1; if ((3u64) % 2 == 0 && ((2u64) % 2 == 1 && ((12u64) % 4 == 0 && (1u64) % 2 == 1))) { if (leaf("a119", 0, 14u64).await) % 3 == 0 { 1u64; log("s120"); if (x48) % 4 == 2 { return Ok(i118); } } else { if (18u64) % 3 == 1 { let x2 = { log("b121"); 7u64 }; log("s122"); if (x46) % 3 == 2 { return Ok(x46); } } else { leaf("a123", 3, 14u64).await; let x124 = 0u64; } let x46 = x46; } } let t132 = match (leaf("a125", 1, 13u64).await) % 2 { 0 => { 17u64 } k126 if k126 > (i118) % 3 => { if (7u64) % 4 == 3 { log("s127"); tokio::select! { biased; v128 = leaf("s128", 1, 0u64) => { log("h128"); if i118 < 2 { continue 'l118; } log(if v128 > 0 { "a128" } else { "b128" }); } _ = leaf("r128", 0, ()) => { if i118 < 2 { continue 'l118; } } } if i118 < 2 { continue 'l118; } } leaf("a129", 1, 2u64).await } _ => { if ((17u64) % 3 == 2 && (i118) % 4 == 0) { 10u64; let n131 = Noisy::new("n130"); if (11u64) % 3 == 1 { break 'l118 (1u64); } } 9u64 } }; if i118 < 1 { continue 'l118; } break 'l118 (t132); } }; sum_pair((if (([133u64, 1u64].iter().sum::<u64>() + leaf("a134", 1, 14u64).await)) % 2 == 1 { log("s135"); let d136; if (leaf("a137", 1, 1u64).await) % 4 == 3 { let mut x48 = 16u64; d136 = 1u64; } else { d136 = 4u64; } (leaf("t138", 2, Noisy::new("t138")).await.ping().await as u64) } else { if ((19u64) % 2 == 0 || (leaf("a139", 0, 12u64).await) % 3 == 1) { 7u64 } else { let x141 = leaf("a140", 2, 11u64).await; x2; 15u64 } }, leaf("a142", 2, x46).await)) } })
    }
    call: ()
}
case! {
    name: moved_in_then_kept_in_else_to_scope_end,
    async fn (c: bool) -> u32 {
        let a = Noisy::new("a");
        let b = Noisy::new("b");
        if c {
            drop(a);
            leaf("x", 1, ()).await;
        } else {
            leaf("y", 1, ()).await;
        }
        log("after");
        leaf("z", 1, ()).await;
        b.len() as u32
    }
    drive(f): { f(true).await + f(false).await }
}
case! {
    name: moved_in_if_without_else,
    async fn (c: bool) -> u32 {
        let a = Noisy::new("a");
        let d = Noisy::new("d");
        if c {
            leaf("x", 1, ()).await;
            drop(a);
        }
        log("after");
        leaf("z", 1, d.len()).await as u32
    }
    drive(f): { f(true).await + f(false).await }
}
case! {
    name: moved_by_some_match_arms,
    async fn (k: u32) -> u32 {
        let a = Noisy::new("a");
        let b = Noisy::new("b");
        let r = match k {
            0 => { drop(b); leaf("m0", 1, 0).await }
            1 => { let v = leaf("m1", 1, 1).await; drop(a); v }
            2 => 2,
            _ => { drop(a); drop(b); 3 }
        };
        log("after");
        let z = leaf("z", 1, r).await;
        z + 1
    }
    drive(f): { f(0).await + f(1).await + f(2).await + f(3).await }
}
case! {
    name: maybe_moved_nested_join_as_tail_of_branch,
    async fn (k: u32) -> u32 {
        let a = Noisy::new("a");
        let r = if k > 0 {
            let t = Noisy::new("t");
            if k > 1 {
                drop(a);
                leaf("in", 1, 1).await + t.len() as u32
            } else {
                leaf("keep", 1, 2).await
            }
        } else {
            leaf("else", 1, 3).await
        };
        log("after");
        leaf("z", 1, r).await
    }
    drive(f): { f(0).await + f(1).await + f(2).await }
}
case! {
    name: maybe_moved_across_two_joins_and_a_loop,
    async fn (k: u32) -> u32 {
        let a = Noisy::new("a");
        let b = Noisy::new("b");
        if k % 2 == 0 {
            drop(a);
            leaf("x", 1, ()).await;
        } else {
            leaf("y", 0, ()).await;
        }
        if k > 2 {
            drop(b);
            leaf("p", 1, ()).await;
        } else {
            leaf("q", 1, ()).await;
        }
        let mut n = 0;
        while n < 2 {
            n += leaf("w", 1, 1).await;
        }
        log("end");
        n
    }
    drive(f): { f(0).await + f(1).await + f(3).await + f(4).await }
}
case! {
    name: maybe_moved_copy_used_after,
    async fn (k: u64) -> u64 {
        let n = k + 1;
        if k > 1 {
            let _ = add3(n, 1, 1);
            leaf("x", 1, ()).await;
        } else {
            leaf("y", 1, ()).await;
        }
        leaf("z", 1, n).await
    }
    drive(f): { f(0).await + f(3).await }
}
case! {
    name: maybe_moved_local_declared_in_loop_body_arm,
    async fn (k: u32) -> u32 {
        // `n` is declared in the arm that writes the loop's body (not carried into it): the
        // path that skips the `if` still holds it (`Some`), the other moved it (`None`).
        let mut i = 0;
        let mut total = 0;
        loop {
            i += 1;
            let Some((x, n)) = noisy_option(u64::from(i), "e") else {
                return 0;
            };
            if i % 2 == k {
                drop(n);
                leaf("d", 1, ()).await;
            }
            total += leaf("t", 1, x as u32).await;
            log("body end");
            if i > 2 {
                break;
            }
        }
        total
    }
    drive(f): { f(0).await + f(1).await }
}
case! {
    name: maybe_moved_local_taken_by_a_later_wrapper,
    async fn (c: bool) -> u64 {
        // `b` (an `Option` past the `if`) is declared after `a`, which a later awaitee borrows:
        // the wrapper of that awaitee takes both and hands them back, `b` still an `Option`.
        let a = Noisy::new("a");
        let b = Noisy::new("b");
        if c {
            drop(b);
            leaf("x", 1, ()).await;
        } else {
            leaf("y", 2, ()).await;
        }
        let r = helper_len(&a).await;
        log("after");
        r + leaf("z", 1, 1).await
    }
    drive(f): { f(true).await + f(false).await }
}
case! {
    name: select_with_else_and_join_of_three_with_question,
    async fn (k: u64) -> Result<u64, MyError> {
        let n = Noisy::new("n");
        let v = tokio::select! {
            v = leaf("a", 1, k), if k > 5 => v,
            else => 0,
        };
        let (a, b, c) = tokio::try_join!(fetch(v), fetch(k), fetch(n.len() as u64))?;
        let w = leaf("w", 1, a + b + c).await;
        Ok(w)
    }
    drive(f): { let a = f(1).await; let b = f(7).await; let c = f(200).await; (a, b, c) }
}
case! {
    name: let_else_match_temporary_scrutinee_kept_else_runs,
    async fn () -> Option<u64> {
        // The kept scrutinee `r41` (a temporary of the statement) drops before the `else`
        // block runs, as natively (it dropped after it before). Program 90 of seed 172.
        let Some((x45, _)) = noisy_option(
            leaf("a", 1, 0u64).await
                + match noisy_result(7u64, "r41") {
                    Ok(k) => k,
                    Err(_) => {
                        leaf("z41", 1, 0u64).await;
                        3
                    }
                },
            "e26",
        ) else {
            log("s44");
            return Some(0u64);
        };
        Some(x45)
    }
    call: ()
}
case! {
    name: if_let_scrutinee_owned_sum_of_borrowed_array_around_awaits,
    async fn (x: u64) -> u64 {
        // The scrutinee's temporaries (the array, and the sum the call is made on) live
        // through the `then` block: kept across its await; the sum owns its value, it does not
        // borrow the array (refused before: program 56 of seed 175).
        let n = Noisy::new("n");
        if let Some(k) = ([{ leaf("a", 1, ()).await; x }, n.len() as u64].iter().sum::<u64>()).checked_sub(2) {
            leaf("t", 1, k).await
        } else {
            log("else");
            0
        }
    }
    drive(f): { f(0).await + f(9).await }
}
case! {
    name: moved_by_if_let_without_awaits_then_await,
    async fn (cb: Option<Noisy>) -> u32 {
        let a = Noisy::new("a");
        if let Some(c) = cb { log("call"); drop(c); }
        log("after");
        leaf("z", 1, a.len()).await as u32
    }
    drive(f): { f(Some(Noisy::new("cb"))).await + f(None).await }
}
case! {
    name: moved_by_if_let_else_without_awaits_then_await,
    async fn (cb: Option<Noisy>, k: u32) -> u32 {
        let a = Noisy::new("a");
        if let Some(c) = cb { drop(c); } else { log("no callback"); }
        let r = if let Ok(v) = u32::try_from(k as u64) { drop(a); v } else { 0 };
        log("after");
        leaf("z", 1, r).await
    }
    drive(f): { f(Some(Noisy::new("cb")), 2).await + f(None, 0).await }
}
case! {
    name: moved_by_some_arms_of_a_match_without_awaits,
    async fn (k: u32) -> u32 {
        let a = Noisy::new("a");
        let b = Noisy::new("b");
        let m = Some(Noisy::new("m"));
        let r = match k { 0 => { drop(b); 0 } 1 => { drop(a); 1 } _ => 2 };
        match m { Some(x) if k > 1 => drop(x), Some(_) => log("kept"), None => {} }
        log("after");
        leaf("z", 1, r).await
    }
    drive(f): { f(0).await + f(1).await + f(2).await + f(3).await }
}
case! {
    name: moved_in_nested_ifs_without_awaits,
    async fn (x: bool, y: bool) -> u32 {
        let a = Noisy::new("a");
        let b = Noisy::new("b");
        if x { log("x"); if y { drop(a); } else { log("keep"); } }
        {
            let c = Noisy::new("c");
            if y { drop(b); }
            drop(c);
        }
        leaf("z", 1, 0).await;
        log("end");
        1
    }
    drive(f): { f(true, true).await + f(true, false).await + f(false, true).await }
}
case! {
    name: moved_without_awaits_inside_a_branch_with_awaits,
    async fn (x: bool, y: bool) -> u32 {
        let a = Noisy::new("a");
        if x {
            leaf("p", 1, 0).await;
            if y { drop(a); }
            leaf("q", 1, 0).await;
        }
        leaf("z", 1, 0).await;
        log("end");
        1
    }
    drive(f): { f(true, true).await + f(true, false).await + f(false, true).await }
}
case! {
    name: moved_by_a_let_if_without_awaits_and_copy_local,
    async fn (x: bool) -> u32 {
        let a = Noisy::new("a");
        let n = a.len() + 1;
        let v = if x { drop(a); mark("n", n) } else { 2 };
        if !x { mark("n again", n); }
        leaf("z", 1, v as u32).await + n as u32
    }
    drive(f): { f(true).await + f(false).await }
}
case! {
    name: moved_by_some_arms_with_awaits_then_shadowed,
    async fn (k: u32) -> u32 {
        let m = Some(Noisy::new("m"));
        let r = match m {
            Some(x) if k > 5 => leaf("x", 1, x.len() as u32).await,
            Some(_) => leaf("two", 1, 2).await,
            None => 0,
        };
        let m = r + 1;
        leaf("m", 1, m).await
    }
    drive(f): { f(1).await + f(9).await }
}
case! {
    name: copy_local_moved_on_one_exit_of_a_loop,
    async fn (k: u64) -> u64 {
        let a = Noisy::new("a");
        let n = k + a.len() as u64;
        let mut i = 0;
        while i < k {
            let v = leaf("v", 1, i).await;
            if v > 1 { mark("n", n); leaf("w", 1, ()).await; break; }
            i += 1;
        }
        log("after");
        leaf("z", 1, i).await
    }
    drive(f): { f(1).await + f(4).await }
}
case! {
    name: moved_on_every_exit_of_a_loop,
    async fn (k: u64) -> u64 {
        let a = Noisy::new("a");
        let b = Noisy::new("b");
        let mut i = 0;
        loop {
            let v = leaf("v", 1, i).await;
            i += 1;
            if v == 1 { continue; }
            if v > k { drop(a); leaf("w", 1, ()).await; break; }
            if v > 2 { log("out"); drop(a); break; }
        }
        log("after");
        leaf("z", 1, b.len() as u64).await + i
    }
    drive(f): { f(0).await + f(5).await }
}
case! {
    name: moved_on_some_exits_of_a_loop_through_an_option,
    async fn (k: u64) -> u64 {
        let mut a = Some(Noisy::new("a"));
        let mut i = 0;
        while i < 4 {
            let v = leaf("v", 1, i).await;
            if v == k { if let Some(a) = a.take() { drop(a); } break; }
            i += 1;
        }
        log("after");
        leaf("z", 1, i).await
    }
    drive(f): { f(2).await + f(9).await }
}
case! {
    name: receiver_of_an_awaited_method_in_a_loop_dropped_at_scope_end,
    async fn (k: u64) -> u64 {
        let r = Noisy::new("r");
        let s = Noisy::new("s");
        let mut t = 0;
        for _ in 0..k {
            t += r.ping().await;
        }
        while t < 9 {
            t += s.ping().await;
            if t > 6 { break; }
        }
        log("after");
        leaf("z", 1, t as u64).await
    }
    drive(f): { f(2).await + f(0).await }
}
case! {
    name: awaited_method_taking_self_called_as_a_path,
    async fn (k: u64) -> u64 {
        let a = Noisy::new("a");
        let b = Noisy::new("b");
        let c = Noisy::new("c");
        let x = Noisy::finish(a).await;
        let y = Noisy::finish(b).await;
        log("after");
        let z = c.ping().await;
        log("kept c");
        leaf("z", 1, k + (x + y + z) as u64).await
    }
    drive(f): { f(1).await }
}
case! {
    name: temporary_receiver_of_an_awaited_method_lives_to_the_end_of_its_statement,
    async fn (k: u64) -> u64 {
        let x = leaf("m", 1, Noisy::new("t")).await.ping().await as u64 + leaf("z", 1, k).await;
        log("after");
        let y = Noisy::finish(leaf("n", 1, Noisy::new("u")).await).await as u64 + leaf("w", 1, k).await;
        x + y
    }
    drive(f): { f(1).await }
}
case! {
    name: temporary_receiver_of_an_awaited_method_outlives_the_rest_of_its_statement,
    async fn (k: u64) -> Result<u64, String> {
        let x = leaf("m", 1, Noisy::new("t")).await.ping().await as u64 + mark("rest", k);
        log("after x");
        let y = leaf("n", 1, Noisy::new("u")).await.ping().await as u64;
        log("after y");
        leaf("o", 1, Noisy::new("v")).await.ping().await;
        log("after o");
        // Nothing of the statement after the call: not handed back, so a method taking `self`
        // (under a name the lowering does not know) compiles.
        let f = leaf("r", 1, Noisy::new("f")).await.finish().await as u64;
        let r = f + mark("sum", leaf("q", 1, Noisy::new("s")).await.ping().await) as u64;
        // `k` = 2: the `?` returns early, the temporary dropped on the way out.
        let z = leaf("p", 1, Noisy::new("w")).await.ping().await.checked_sub(k as usize).ok_or("none")?;
        Ok(x + y + z as u64 + r)
    }
    drive(f): { f(2).await }
}
case! {
    name: moved_on_some_paths_of_an_operand_without_awaits,
    async fn (k: u32) -> u32 {
        let a = Noisy::new("a");
        let b = Noisy::new("b");
        let c = Noisy::new("c");
        // An operand before an await of its statement.
        let x = (match k { 0 => { drop(a); 1 } _ => 2 }) + leaf("x", 1, k).await;
        // Deeper in an operand: `(if ..) % 3`, after an operand evaluated first.
        let y = mark("first", 1) + ((if k == 1 { drop(b); 4 } else { 5 }) % 3) * 2 + leaf("y", 1, x).await;
        // In an awaited call's argument, an `if let` whose scrutinee holds a temporary.
        let z = leaf("z", 1, (if let Some(v) = Some(Noisy::new("t")).filter(|_| k == 2) { drop(c); v.len() as u32 } else { 7 }) + 1).await;
        // A statement without awaits.
        let d = Noisy::new("d");
        let v = 1 + (match k { 3 => { drop(d); 1 } _ => 2 }) * 2;
        log("after");
        // In an `if` condition with awaits.
        let e = Noisy::new("e");
        let w = if (match k { 1 => { drop(e); 1 } _ => 2 }) % 3 == 2 && leaf("c", 1, k).await > 0 { 1 } else { 0 };
        leaf("w", 1, x + y + z + v + w).await
    }
    drive(f): { f(0).await + f(1).await + f(2).await + f(3).await }
}
case! {
    name: temporary_receiver_of_an_awaited_method_in_the_tail,
    async fn (k: u64) -> usize {
        let a = Noisy::new("a");
        log("before");
        leaf("m", 1, Noisy::new("t")).await.ping().await + a.len() * k as usize
    }
    drive(f): { f(1).await }
}
case! {
    name: temporary_receiver_of_an_awaited_method_is_the_tail,
    async fn (k: u64) -> usize {
        let a = Noisy::new("a");
        log(format!("before {k} {}", a.0));
        leaf("m", 1, Noisy::new("t")).await.ping().await
    }
    drive(f): { f(1).await }
}
case! {
    name: moved_on_some_exits_of_a_while_with_awaits,
    async fn (k: u64) -> u64 {
        let a = Noisy::new("a");
        let b = Noisy::new("b");
        let mut i = 0;
        while i < k {
            let v = leaf("v", 1, i).await;
            if v == 2 {
                drop(a);
                break;
            }
            i += 1;
        }
        log("after");
        leaf("z", 1, i).await + b.len() as u64
    }
    drive(f): { f(1).await + f(3).await }
}
case! {
    name: moved_on_some_exits_of_a_labelled_block_with_awaits,
    async fn (c: bool) -> u64 {
        let a = Noisy::new("a");
        'b: {
            if c {
                drop(a);
                leaf("x", 1, 0u64).await;
                break 'b;
            }
            leaf("y", 1, 2u64).await;
        }
        log("after");
        leaf("z", 1, 1u64).await
    }
    drive(f): { f(true).await + f(false).await }
}
case! {
    name: moved_by_verbatim_code_before_a_break_on_some_exits,
    async fn (k: u64) -> u64 {
        let a = Noisy::new("a");
        let b = Noisy::new("b");
        let mut n = 0;
        loop {
            let v = leaf("v", 1, n).await;
            n += 1;
            if v == k {
                break;
            }
            // Moved by the statement before the `break`, in the same arm.
            if v > 3 {
                log("moving");
            }
            drop(b);
            drop(a);
            break;
        }
        log("after");
        leaf("z", 1, n).await
    }
    drive(f): { f(0).await + f(5).await }
}
case! {
    name: moved_on_some_exits_of_nested_loops,
    async fn (k: u64) -> u64 {
        let a = Noisy::new("a");
        let b = Noisy::new("b");
        let mut acc = 0;
        'outer: for i in 0..3u64 {
            for j in 0..3u64 {
                acc += leaf("v", 1, i * 3 + j).await;
                if acc > k {
                    match j {
                        0 => { drop(a); break 'outer; }
                        1 => break 'outer,
                        _ => { drop(b); break 'outer; }
                    }
                }
            }
            if i == 1 {
                break;
            }
        }
        log("after");
        leaf("z", 1, acc).await
    }
    drive(f): { f(0).await + f(1).await + f(4).await + f(100).await }
}
case! {
    name: moved_before_a_labelled_break_whose_value_awaits,
    async fn (c: bool) -> u64 {
        let n3 = Noisy::new("n2");
        let mut i5 = 0u64;
        'l5: loop {
            i5 += 1;
            let x = ({ if c { drop(n3); break 'l5 leaf("a6", 2, 5u64).await; } let t8 = leaf("a7", 1, 13u64).await; t8 }) + 1;
            if i5 < 3 { continue 'l5; }
            break 'l5 x;
        }
    }
    drive(f): { f(true).await + f(false).await }
}
case! {
    name: moved_before_a_break_of_a_loop_without_awaits,
    async fn (k: u64) -> u64 {
        let a = Noisy::new("a");
        let b = Noisy::new("b");
        for i in 0..k {
            if i == 2 {
                drop(a);
                break;
            }
        }
        let mut j = 0;
        while j < k {
            j += 1;
            if j == 3 {
                log("moving b");
                drop(b);
                break;
            }
        }
        let c = Noisy::new("c");
        'b: {
            if k == 4 {
                drop(c);
                break 'b;
            }
            log("kept c");
        }
        log("after");
        leaf("z", 1, k).await
    }
    drive(f): { f(1).await + f(3).await + f(4).await }
}
case! {
    name: moved_in_the_tail_of_an_else_whose_then_awaits,
    async fn (k: u64) -> u64 {
        let n = Noisy::new("n");
        let v = if let Some((c, _g)) = noisy_option(k, "c") { leaf("a", 1, c).await } else { drop(n); 7 };
        log("after");
        leaf("z", 1, v).await
    }
    drive(f): { f(1).await + f(5).await }
}
case! {
    name: moved_before_a_break_in_a_block_operand_of_a_condition,
    async fn (k: u64) -> u64 {
        let n = Noisy::new("n");
        let v = if ({ let mut i = 0u64; let mut s = 0u64; while i < 3 { i += 1; if i == k { drop(n); break; } s += i; } s }) % 3 == 0 || leaf("a", 1, 2u64).await == 2 { 1 } else { 2 };
        log("after");
        leaf("z", 1, v).await
    }
    drive(f): { f(1).await + f(5).await }
}
case! {
    name: moved_before_a_break_to_an_outer_loop_whose_value_awaits,
    async fn (k: u64) -> u64 {
        let n = Noisy::new("n");
        'outer: loop {
            leaf("a", 1, 0u64).await;
            let mut s = 0u64;
            for j in 0..3u64 {
                s += leaf("b", 1, j).await;
                if j == k {
                    drop(n);
                    break 'outer leaf("c", 1, 10u64).await;
                }
            }
            break 'outer s;
        }
    }
    drive(f): { f(1).await + f(5).await }
}
case! {
    name: moved_before_a_break_in_the_left_operand_of_a_lazy_condition,
    async fn (k: u64) -> u64 {
        // The block moving `n` before leaving the loop is the left operand of `||`/`&&` in a
        // condition without awaits: it always runs, so it is lowered with jumps like any
        // operand (was E0382: the `break` carried `n` as kept; generator, CI seed).
        let n = Noisy::new("n");
        let m = Noisy::new("m");
        for j in 0..3u64 {
            leaf("a", 1, 0u64).await;
            if ({ let _t = Noisy::new("t"); if k == j { drop(n); break; } 13u64 }) % 3 == 2 || k == 7 {
                continue;
            }
            if ({ if k == j + 1 { drop(m); break; } j }) < 2 && k > 0 {
                log("and");
            }
        }
        leaf("z", 1, 0u64).await
    }
    drive(f): { f(1).await + f(2).await + f(7).await }
}
case! {
    name: receiver_moved_by_a_block,
    async fn (k: u64) -> u64 {
        // `{b}.into_len()`-like: the block moves `b` whatever the method takes, so `b` is not
        // saved across the await (a method taking `self` the lowering does not know by name).
        let b = Noisy::new("b");
        let c = Noisy::new("c");
        let n = { b }.len() as u64;
        log("moved");
        let v = leaf("v", 1, n + k).await;
        let _d = { &c }.len();
        leaf("w", 1, v).await
    }
    drive(f): { f(1).await }
}
case! {
    name: while_let_scrutinee_with_question_mark,
    async fn (k: u64) -> Option<u64> {
        // `?` on the scrutinee: its lowering ends with a `}`, which a `let .. else` does not
        // take unparenthesized (the macro panicked on this before).
        let mut i = 0u64;
        let _a = Noisy::new("a");
        while let Some((w, _g)) = leaf("s", 1, if i < k { Some(noisy_option(i, "o")) } else { None }).await? {
            i += w + 1;
            log("body");
        }
        let mut j = 0u64;
        while let Some(w) = (if j < 9 { Some(j.checked_sub(k)) } else { None })? {
            j += w + 2;
            leaf("j", 1, 0u64).await;
        }
        Some(i + j)
    }
    drive(f): { f(2).await.unwrap_or(7) + f(0).await.unwrap_or(7) }
}
case! {
    name: moved_before_a_break_of_a_while_let_without_awaits_and_before_a_question_break,
    async fn (k: u64) -> Option<u64> {
        let a = Noisy::new("a");
        let b = Noisy::new("b");
        let mut i = 0u64;
        while let Some((w, _g)) = noisy_option(i, "o") {
            i += 1;
            if w == k {
                drop(a);
                break;
            }
            if i > 3 {
                break;
            }
        }
        let mut j = 0u64;
        loop {
            j += leaf("j", 1, 1u64).await;
            if j == k + 1 {
                drop(b);
                break leaf("q", 1, Some(j)).await?;
            }
            if j > 3 {
                break 0;
            }
        };
        log("after");
        Some(leaf("z", 1, i + j).await)
    }
    drive(f): { f(1).await.unwrap_or(0) + f(2).await.unwrap_or(0) + f(9).await.unwrap_or(0) }
}
case! {
    name: moved_by_a_break_value_and_in_a_block_scrutinee,
    async fn (k: u64) -> u64 {
        // `Copy`, of a type the lowering cannot see: moved by one way out of the block, as the
        // `break`'s value, and by the tail on the other.
        let y = Noisy::new("y").into_len() as u64;
        let v = 'b: { if k == 1 { break 'b y; } leaf("b", 1, 2u64).await; y + 1 };
        let n = Noisy::new("n");
        let w = match ({ let mut i = 0u64; let mut s = 0u64; while i < 3 { i += 1; if i == k { drop(n); break; } s += i; } s }) % 4 {
            0 => leaf("m", 1, 1u64).await,
            _ => 2,
        };
        log("after");
        leaf("z", 1, v + w).await
    }
    drive(f): { f(1).await + f(2).await + f(5).await }
}
case! {
    name: moved_in_a_parenthesized_block_without_awaits,
    async fn (k: u64) -> u64 {
        let n = Noisy::new("n");
        #[allow(unused_parens)]
        let v = ({ if k == 1 { drop(n); } 2 });
        log("after");
        leaf("z", 1, v).await
    }
    drive(f): { f(1).await + f(2).await }
}
}
