// The equivalence cases: each is written once and instantiated twice (native and lowered) by
// the `case!` macro of the file that includes this one (tests/tests/equivalence.rs runs them,
// tests/examples/sizes.rs prints their sizes).
//
// Forms:
//   case! { name: N, async fn (params) -> Ret { body } call: (args) }
//   case! { name: N, async fn generic [T: Bound] (params) -> Ret where [..] { body } call: (args) }
//   case! { name: N, async fn (params) -> Ret { body } drive(f): { .. f(..).await .. } }
//   case! { name: N, items: { struct S; impl S {..} } on: S, async fn (&mut self, ..) -> Ret { body } drive(f): { .. } }

cases! {
// ---- sequential awaits, outputs, polls -------------------------------------------------
case! { name: no_await, async fn () -> usize { let n = Noisy::new("n"); n.len() } call: () }
case! { name: one_await, async fn () -> u32 { leaf("a", 2, 7).await } call: () }
case! {
    name: two_awaits,
    async fn (x: u32) -> u32 {
        let a = leaf("a", 1, x).await;
        let b = leaf("b", 2, a + 1).await;
        a + b
    }
    call: (3)
}
case! {
    name: issue_example,
    async fn (n: u64, name: &str) -> Result<usize, MyError> {
        let data = format!("{}-{}", name, fetch(n).await?);
        let len = process(data).await;
        Ok(len + n as usize)
    }
    call: (3, "x")
}
case! {
    name: issue_example_error,
    async fn (n: u64, name: &str) -> Result<usize, MyError> {
        let data = format!("{}-{}", name, fetch(n).await?);
        let len = process(data).await;
        Ok(len + n as usize)
    }
    call: (300, "x")
}
case! {
    name: many_awaits,
    async fn () -> u32 {
        let n0 = Noisy::new("n0");
        let a = leaf("a", 1, 1).await;
        let b = leaf("b", 0, 2).await;
        let n1 = Noisy::new("n1");
        let c = leaf("c", 3, 3).await;
        let d = leaf("d", 1, 4).await;
        drop(n0);
        let e = leaf("e", 2, 5).await;
        let f = leaf("f", 0, 6).await;
        let n2 = Noisy::new("n2");
        let g = leaf("g", 1, 7).await;
        let h = leaf("h", 1, 8).await;
        let i = leaf("i", 1, 9).await;
        let j = leaf("j", 2, 10).await;
        let _keep = (&n1, &n2);
        a + b + c + d + e + f + g + h + i + j
    }
    call: ()
}
case! { name: discard_output, async fn () -> () { leaf("a", 1, Noisy("out")).await; log("after"); } call: () }
case! { name: unit_await, async fn () -> () { leaf("a", 1, ()).await } call: () }
case! {
    name: bind_output_kept,
    async fn () -> usize {
        let out = leaf("a", 1, Noisy("out")).await;
        leaf("b", 1, ()).await;
        out.len()
    }
    call: ()
}

// ---- `?` and `return` --------------------------------------------------------------------
case! {
    name: question_option,
    async fn (k: u32) -> Option<u32> {
        let a = leaf("a", 1, if k > 0 { Some(k) } else { None }).await?;
        let _n = Noisy::new("n");
        let b = leaf("b", 1, Some(a * 2)).await?;
        Some(a + b)
    }
    call: (0)
}
case! {
    name: question_option_some,
    async fn (k: u32) -> Option<u32> {
        let a = leaf("a", 1, if k > 0 { Some(k) } else { None }).await?;
        let b = leaf("b", 1, Some(a * 2)).await?;
        Some(a + b)
    }
    call: (4)
}
case! {
    name: question_from_conversion,
    async fn (fail: bool) -> Result<u32, BigError> {
        let _n = Noisy::new("held");
        let v: u32 = leaf("a", 1, if fail { Err(SmallError) } else { Ok(5) }).await?;
        Ok(v)
    }
    call: (true)
}
case! {
    name: early_return,
    async fn (x: u32) -> u32 {
        let n = Noisy::new("n");
        let a = leaf("a", 1, x).await;
        if a > 2 {
            return a * 100;
        }
        let b = leaf("b", 1, 1).await;
        drop(n);
        a + b
    }
    call: (5)
}
case! {
    name: return_await,
    async fn () -> u32 { let _n = Noisy::new("n"); return leaf("a", 2, 9).await; }
    call: ()
}
case! {
    name: return_before_await,
    async fn (x: u32) -> u32 {
        let _n = Noisy::new("n");
        if x == 0 { return 0; }
        leaf("a", 1, x).await
    }
    call: (0)
}

// ---- awaits nested in expressions, evaluation order --------------------------------------
case! {
    name: awaits_in_call_args,
    async fn () -> u32 { add(leaf("a", 1, 1).await, leaf("b", 2, 2).await) }
    call: ()
}
case! {
    name: evaluation_order,
    async fn () -> (u32, u32, u32) {
        triple(mark("first", 1), leaf("second", 1, 2).await, mark("third", 3))
    }
    call: ()
}
case! {
    name: operands,
    async fn () -> u32 { leaf("a", 1, 2).await + leaf("b", 1, 3).await * mark("m", 4) }
    call: ()
}
case! {
    name: method_chain,
    async fn () -> u32 { leaf("a", 1, Wrapper(3)).await.next_leaf().await }
    call: ()
}
case! {
    name: method_args,
    async fn () -> usize {
        let mut v = Vec::new();
        v.push(leaf("a", 1, 10).await);
        v.push(leaf("b", 1, 20).await);
        v.len()
    }
    call: ()
}
case! {
    name: struct_literal,
    async fn () -> Pair {
        Pair { first: mark("x", 1), second: leaf("b", 1, 2).await, name: Noisy::new("p") }
    }
    call: ()
}
case! {
    name: tuple_and_array,
    async fn () -> ([u32; 3], (u32, u32)) {
        let arr = [leaf("a", 1, 1).await, 2, leaf("c", 1, 3).await];
        (arr, (leaf("d", 0, 4).await, 5))
    }
    call: ()
}
case! {
    name: temporary_across_await,
    async fn () -> usize { Noisy::new("temp").len() + leaf("a", 1, 2).await }
    call: ()
}
case! {
    name: temporary_in_let,
    async fn () -> usize {
        let n = Noisy::new("temp").len() + leaf("a", 1, 2).await;
        log("after let");
        n
    }
    call: ()
}
case! {
    name: block_value,
    async fn () -> u32 {
        let v = {
            let t = Noisy::new("t");
            leaf("a", 1, 1).await + t.len() as u32
        };
        log("after block");
        v
    }
    call: ()
}
case! {
    name: await_in_condition,
    async fn () -> u32 { if leaf("c", 1, true).await { 1 } else { 2 } }
    call: ()
}
case! {
    name: await_in_scrutinee,
    async fn () -> u32 {
        match leaf("s", 2, Some(4)).await { Some(x) if x > 3 => x, Some(_) => 1, None => 0 }
    }
    call: ()
}
case! {
    name: format_macros,
    async fn () -> String {
        let s = format!("{}-{}", leaf("a", 1, 1).await, leaf("b", 1, "two").await);
        assert_eq!(leaf("c", 1, 3).await, 3);
        assert!(leaf("d", 0, true).await, "d must be true");
        let v = vec![leaf("e", 1, 5).await, 6];
        let m = matches!(leaf("f", 1, Some(2)).await, Some(2));
        format!("{s} {v:?} {m}")
    }
    call: ()
}
case! {
    name: into_future,
    async fn () -> u32 { Deferred(41).await + 1 }
    call: ()
}
case! {
    name: await_local_future,
    async fn () -> u32 {
        let f = leaf("a", 2, 5);
        let _n = Noisy::new("n");
        f.await
    }
    call: ()
}
case! {
    name: nested_async_block,
    async fn (x: u32) -> u32 {
        let b = async move { leaf("inner", 1, x).await * 2 };
        let _n = Noisy::new("n");
        b.await + leaf("outer", 1, 1).await
    }
    call: (4)
}

// ---- locals, shadowing, drop order ---------------------------------------------------------
case! {
    name: shadowing,
    async fn () -> u32 {
        let x = Noisy::new("x1");
        let n = x.len() as u32;
        let x = leaf("a", 1, n).await;
        let x = x + leaf("b", 1, 1).await;
        x
    }
    call: ()
}
case! {
    name: shadowed_but_alive,
    async fn (x: Noisy) -> usize {
        let x = x.len();
        let s = Noisy::new("s1");
        let s = leaf("a", 1, s.len()).await + x;
        let y = Noisy::new("y");
        let y = y.len() + leaf("b", 1, s).await;
        y
    }
    call: (Noisy("param"))
}
case! {
    name: drop_order_locals,
    async fn () -> u32 {
        let a = Noisy::new("a");
        let b = Noisy::new("b");
        let v = leaf("x", 2, 1).await;
        let c = Noisy::new("c");
        let w = leaf("y", 1, 2).await;
        let _ = (&a, &b, &c);
        v + w
    }
    call: ()
}
case! {
    name: moved_before_await,
    async fn () -> u32 {
        let a = Noisy::new("a");
        let b = Noisy::new("b");
        drop(a);
        let v = leaf("x", 1, 1).await;
        let c = b;
        log("moved b to c");
        let w = leaf("y", 1, 2).await;
        drop(c);
        v + w
    }
    call: ()
}
case! {
    name: into_lend_by_method,
    async fn () -> usize {
        let a = Noisy::new("a");
        let o: Option<Noisy> = Some(Noisy::new("o"));
        let k = a.into_len();
        let inner = o.unwrap();
        let v = leaf("x", 1, 1).await;
        k + v + inner.len()
    }
    call: ()
}
case! {
    name: closures_across_await,
    async fn () -> u32 {
        let add = |x: u32| x + 1;
        let k = 10;
        let addk = move |x: u32| x + k;
        let name = Noisy::new("captured");
        let show = move || name.len() as u32;
        let v = leaf("a", 1, 5).await;
        add(v) + addk(v) + show()
    }
    call: ()
}
case! {
    name: mutation_across_await,
    async fn () -> u32 {
        let mut total = 0;
        let mut s = String::from("a");
        total += leaf("a", 1, 1).await;
        s.push('b');
        total += leaf("b", 1, 2).await;
        s.push('c');
        total + s.len() as u32
    }
    call: ()
}

// ---- parameters ------------------------------------------------------------------------------
case! {
    name: pattern_params,
    async fn ((a, b): (u32, u32), mut c: u32, Pair { first, .. }: Pair) -> u32 {
        c += leaf("x", 1, a).await;
        c + b + first
    }
    call: ((1, 2), 3, Pair { first: 4, second: 5, name: Noisy("pp") })
}
case! {
    name: params_dropped_unpolled_and_in_order,
    async fn (a: Noisy, b: Noisy, c: u32) -> u32 {
        let v = leaf("x", 1, c).await;
        let _ = (&a, &b);
        v
    }
    call: (Noisy("a"), Noisy("b"), 1)
}
case! {
    name: param_moved_early,
    async fn (a: Noisy, b: Noisy) -> usize {
        let k = a.into_len();
        let v = leaf("x", 1, 1).await;
        k + v + b.len()
    }
    call: (Noisy("a"), Noisy("b"))
}
case! {
    name: generic_fn,
    async fn generic [T: Clone + std::fmt::Debug] (x: T, n: usize) -> Vec<T> {
        let mut v = Vec::new();
        v.push(leaf("a", 1, x.clone()).await);
        v.extend(std::iter::repeat_n(x, n));
        v
    }
    call: ("g", 2)
}
case! {
    name: where_clause,
    async fn generic [T] (x: T) -> String where [T: std::fmt::Display] {
        let s = x.to_string();
        format!("{s}{}", leaf("a", 1, 1).await)
    }
    call: (7)
}
case! {
    name: impl_trait_arg,
    async fn (x: impl Into<u64>, y: impl std::fmt::Debug) -> String {
        let n: u64 = x.into();
        format!("{:?}{}", y, leaf("a", 1, n).await)
    }
    call: (3u8, "y")
}
case! {
    name: impl_trait_return,
    async fn (n: u32) -> impl std::fmt::Debug {
        let v = leaf("a", 1, n).await;
        vec![v; 2]
    }
    call: (3)
}
case! {
    name: elided_lifetime,
    async fn (s: &str) -> &str {
        let n = leaf("a", 1, 2).await;
        &s[..n]
    }
    call: ("hello")
}
case! {
    name: named_lifetimes,
    async fn generic ['a, 'b] (a: &'a str, b: &'b str) -> &'a str {
        let k = leaf("a", 1, b.len()).await;
        &a[..k]
    }
    call: ("hello", "xy")
}
case! {
    name: attributes_pass_through,
    #[inline]
    #[allow(clippy::let_and_return)]
    #[cfg_attr(test, allow(unused_variables))]
    async fn (x: u32) -> u32 {
        let unused = 1;
        let y = leaf("a", 1, x).await;
        y
    }
    call: (2)
}

// ---- borrows of saved locals ------------------------------------------------------------------
case! {
    name: borrowed_buffer,
    async fn () -> usize {
        let mut buf = Vec::new();
        let _before = Noisy::new("before");
        fill(&mut buf, 3).await;
        let n = fill(&mut buf, 2).await;
        n + buf.len()
    }
    call: ()
}
case! {
    name: borrowed_shared,
    async fn () -> usize {
        let text = String::from("hello");
        let n = measure(&text).await;
        n + text.len()
    }
    call: ()
}
case! {
    name: mut_ref_param_reborrowed,
    async fn (out: &mut Vec<u32>) -> usize {
        fill(out, 1).await;
        fill(out, 2).await;
        out.len()
    }
    drive(f): { let mut v = vec![9]; let n = f(&mut v).await; (n, v) }
}
case! {
    name: temporary_borrowed_by_awaitee,
    async fn () -> usize {
        measure(&String::from("temp")).await + 1
    }
    call: ()
}

// ---- methods ------------------------------------------------------------------------------------
case! {
    name: method_mut_self_twice,
    items: {
        pub struct Conn { pub flushed: u32, pub name: Noisy }
        impl Conn { pub async fn flush(&mut self) -> u32 { self.flushed += 1; leaf("flush", 1, self.flushed).await } }
    }
    on: Conn,
    async fn (&mut self, extra: u32) -> u32 {
        let a = self.flush().await;
        let b = self.flush().await;
        a + b + extra + self.flushed
    }
    drive(f): { let mut c = Conn { flushed: 0, name: Noisy("conn") }; let r = f(&mut c, 1).await; (r, c.flushed) }
}
case! {
    name: method_ref_self,
    items: { pub struct Cfg { pub base: u32 } }
    on: Cfg,
    async fn (&self, x: u32) -> u32 {
        let a = leaf("a", 1, x).await;
        self.base + a
    }
    drive(f): { let c = Cfg { base: 10 }; f(&c, 2).await }
}
case! {
    name: method_self_by_value,
    items: { pub struct Owned { pub n: Noisy, pub k: u32 } }
    on: Owned,
    async fn (self) -> u32 {
        let a = leaf("a", 1, 1).await;
        a + self.k
    }
    drive(f): { f(Owned { n: Noisy("owned"), k: 4 }).await }
}
case! {
    name: method_mut_self_by_value,
    items: { pub struct Acc { pub total: u32 } }
    on: Acc,
    async fn (mut self) -> u32 {
        self.total += leaf("a", 1, 2).await;
        self.total += leaf("b", 1, 3).await;
        self.total
    }
    drive(f): { f(Acc { total: 1 }).await }
}

// ---- panics ---------------------------------------------------------------------------------------
case! {
    name: panic_in_awaitee,
    async fn () -> u32 {
        let _n = Noisy::new("held");
        let a = leaf("a", 1, 1).await;
        let _m = Noisy::new("held2");
        let b = panicking_leaf("boom", 1, 2).await;
        a + b
    }
    call: ()
}
case! {
    name: panic_in_body,
    async fn () -> u32 {
        let _n = Noisy::new("held");
        let a = leaf("a", 1, 1).await;
        if a == 1 {
            panic!("body panicked after a");
        }
        a
    }
    call: ()
}
case! {
    name: panic_before_first_await,
    async fn (x: u32) -> u32 {
        let _n = Noisy::new("held");
        assert!(x > 10, "x too small");
        leaf("a", 1, x).await
    }
    call: (1)
}

// ---- found by the generated-program test (tests/generator.rs) ------------------------------
// KNOWN LOWERING BUGS, minimised from generated programs; each fails today (the native fn
// compiles and runs, the lowered one does not compile or behaves differently).
// Until fixed, tests/generator.rs keeps these shapes out of its default grammar
// (`AVOID_KNOWN_BUGS`).
case! {
    // Lowered fails to compile: E0277 "cannot add `!` to `u32`". The nested block diverges
    // (`continue '__poll`) in the state that suspends inside it, but the rest of the statement
    // is still emitted there, with the block's hidden local typed `!`.
    name: gen_bug_block_with_two_awaits_as_operand,
    async fn () -> u32 { 1 + { leaf("a", 1, 2).await; leaf("b", 1, 3).await } }
    call: ()
}
case! {
    // Lowered fails to compile: E0277 "cannot calculate the remainder of `!` divided by `i32`".
    // Same cause without a block in the source: two awaits under a call argument make a nested
    // block whose hidden local is typed `!` where it suspends, so `x` is `!` in that state.
    // (A type annotation `let x: u64 = ..` hides it: `!` coerces.)
    name: gen_bug_two_awaits_in_call_arg_then_operator,
    async fn () -> u64 {
        let x = u64::max(leaf("a", 2, 1u64).await ^ leaf("b", 0, 2u64).await, 3);
        x % 2
    }
    call: ()
}
case! {
    // Lowered fails to compile: "leading `+` is not supported". The `?` becomes a `match`
    // that starts an expression statement, so `+ 1` parses as a new statement.
    name: gen_bug_question_then_operator,
    async fn () -> Option<u32> {
        let x = leaf("a", 1, Some(2)).await? + 1;
        Some(x)
    }
    call: ()
}
case! {
    // Lowered fails to compile: E0277 "cannot add `usize` to `!`": an await that borrows a
    // local, then a statement with two awaits (no block in the source this time).
    name: gen_bug_borrowing_await_then_two_awaits,
    async fn () -> usize {
        let s = String::from("s");
        let y = measure(&s).await;
        let x = leaf("a", 1, 1).await + leaf("b", 1, 2).await;
        x + y
    }
    call: ()
}
case! {
    // Lowered fails to compile: E0308 "expected `async` block, found a different `async`
    // block": a statement with two awaits followed by an await that borrows a local.
    name: gen_bug_two_awaits_then_borrowing_await,
    async fn () -> usize {
        let s = String::from("s");
        let x = leaf("a", 1, 1).await + leaf("b", 1, 2).await;
        measure(&s).await + x
    }
    call: ()
}
case! {
    // Lowered fails to compile: E0308 "expected `async` block, found a different `async`
    // block": same as above with no borrow in the source, only `format!` in the awaitee.
    name: gen_bug_two_awaits_then_format_in_awaitee,
    async fn () -> usize {
        let x = leaf("a", 1, 1).await + leaf("b", 1, 2).await;
        leaf("c", 1, format!("{}", 5).len()).await + x
    }
    call: ()
}
case! {
    // Lowered fails to compile: E0267 "`break` inside `async` block" and E0767: a `?` in the
    // arguments of an awaitee that the lowering wraps in `async move` (here because of the
    // method call on the temporary `format!(..)`; `Noisy::new(..).len()` does the same) becomes
    // `break '__body` inside that block.
    name: gen_bug_question_in_format_in_awaitee,
    async fn () -> Option<usize> {
        let n = leaf("b", 1, format!("{}", leaf("a", 1, Some(2)).await?).len()).await;
        Some(n)
    }
    call: ()
}
case! {
    // Logs differ: the temporary `Noisy` under a cast is dropped before the await (native:
    // at the end of the statement). `keep_temporaries` does not look through `as`.
    name: gen_bug_temporary_under_cast,
    async fn () -> u64 { Noisy::new("t").len() as u64 + leaf("a", 1, 2u64).await }
    call: ()
}
case! {
    // Logs differ: a temporary in an awaitee's arguments is dropped when that await completes,
    // before the next await of the statement (native: at the end of the statement).
    name: gen_bug_temporary_in_awaitee_args,
    async fn () -> usize { leaf("a", 1, Noisy::new("t").len()).await + leaf("b", 1, 2).await }
    call: ()
}
case! {
    // Logs differ: a temporary nested in a call argument, in an operand evaluated before an
    // await, is dropped before the await (native: at the end of the statement).
    // `keep_temporaries` only follows the operand's own receiver chain.
    name: gen_bug_temporary_in_call_arg_before_await,
    async fn () -> usize { std::cmp::max(Noisy::new("t").len(), 1) + leaf("a", 1, 2).await }
    call: ()
}
case! {
    // Logs differ the other way: `format!` expands to a block with its own statement, so
    // natively a temporary in its arguments is dropped when `format!` returns; the lowering
    // keeps it to the end of the enclosing statement (after `m`).
    name: gen_bug_temporary_in_format_args_dropped_late,
    async fn () -> usize {
        mark("m", format!("{}", Noisy::new("t").len() + leaf("a", 1, 1).await).len())
    }
    call: ()
}
}
