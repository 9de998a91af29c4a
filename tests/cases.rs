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

// ---- control flow with awaits (issue 3) -------------------------------------------------------
case! {
    name: if_else_awaits,
    async fn (x: u32) -> u32 {
        let n = Noisy::new("n");
        let v = if x > 2 {
            let t = Noisy::new("then");
            leaf("a", 1, x).await + t.len() as u32
        } else {
            leaf("b", 2, 1).await
        };
        log("after if");
        v + n.len() as u32
    }
    call: (5)
}
case! {
    name: if_else_awaits_other_branch,
    async fn (x: u32) -> u32 {
        let n = Noisy::new("n");
        let v = if x > 2 { leaf("a", 1, x).await } else { let e = Noisy::new("else"); leaf("b", 2, 1).await + e.len() as u32 };
        v + n.len() as u32
    }
    call: (1)
}
case! {
    name: if_without_else,
    async fn (x: u32) -> u32 {
        let mut total = x;
        if x % 2 == 1 {
            total += leaf("odd", 1, 10).await;
        }
        if x > 100 {
            total += leaf("never", 1, 1000).await;
        }
        total
    }
    call: (3)
}
case! {
    name: else_if_chain,
    async fn (x: u32) -> &'static str {
        if x == 0 {
            leaf("zero", 1, "zero").await
        } else if x < 10 {
            let _n = Noisy::new("small");
            leaf("small", 1, "small").await
        } else if x < 100 {
            "medium"
        } else {
            leaf("big", 1, "big").await
        }
    }
    call: (7)
}
case! {
    name: if_let_await,
    async fn (o: Option<u32>) -> u32 {
        if let Some(v) = o {
            let w = leaf("some", 1, v).await;
            v + w
        } else {
            leaf("none", 1, 0).await
        }
    }
    call: (Some(4))
}
case! {
    name: match_arms_with_guards,
    async fn (x: Option<u32>) -> u32 {
        let held = Noisy::new("held");
        let r = match x {
            Some(0) => leaf("zero", 1, 0).await,
            Some(v) if v > 10 => {
                let big = Noisy::new("big");
                leaf("big", 2, v).await + big.len() as u32
            }
            Some(v @ (1 | 2 | 3)) => v,
            Some(v) => leaf("other", 1, v * 2).await,
            None => 99,
        };
        r + held.len() as u32
    }
    call: (Some(20))
}
case! {
    name: match_other_arm,
    async fn (x: Option<u32>) -> u32 {
        match x {
            Some(v) if v > 10 => leaf("big", 2, v).await,
            Some(v) => { let n = Noisy::new("n"); leaf("other", 1, v * 2).await + n.len() as u32 }
            None => 99,
        }
    }
    call: (Some(5))
}
case! {
    name: match_on_struct_rest,
    async fn (p: Pair) -> u32 {
        match p {
            Pair { first: 1, .. } => 1,
            Pair { first, second, .. } => leaf("f", 1, first).await + second,
        }
    }
    call: (Pair { first: 3, second: 4, name: Noisy("pair") })
}
case! {
    name: loop_with_break_value,
    async fn (n: u32) -> u32 {
        let mut i = 0;
        let mut acc = 0;
        let r = loop {
            let step = Noisy::new("step");
            acc += leaf("tick", 1, i).await;
            i += 1;
            if i == n {
                break acc * 10 + step.len() as u32;
            }
        };
        r + 1
    }
    call: (4)
}
case! {
    name: while_loop_awaits,
    async fn (n: u32) -> u32 {
        let mut i = 0;
        let mut acc = Vec::new();
        while i < n {
            acc.push(leaf("w", (i % 2) as u32, i).await);
            i += 1;
        }
        acc.iter().sum()
    }
    call: (5)
}
case! {
    name: while_await_in_condition,
    async fn (n: u32) -> u32 {
        let mut i = 0;
        while leaf("cond", 1, i).await < n {
            i += 1;
        }
        i
    }
    call: (3)
}
case! {
    name: while_let_recv,
    async fn (items: Vec<u32>) -> u32 {
        let mut q = items.into_iter();
        let mut sum = 0;
        while let Some(x) = leaf("recv", 1, q.next()).await {
            let _n = Noisy::new("item");
            sum += x;
        }
        sum
    }
    call: (vec![1, 2, 3])
}
case! {
    name: for_loop_awaits,
    async fn (v: Vec<u32>) -> u32 {
        let mut total = 0;
        for (i, x) in v.clone().into_iter().enumerate() {
            let n = Noisy::new("iter");
            total += leaf("item", (i % 2) as u32, x).await + v.len() as u32;
            drop(n);
        }
        total
    }
    drive(f): { let v = vec![3, 4, 5]; f(v).await }
}
case! {
    name: for_continue_break,
    async fn (n: u32) -> Vec<u32> {
        let mut out = Vec::new();
        for i in 0..n {
            if i % 2 == 0 {
                continue;
            }
            let v = leaf("odd", 1, i).await;
            if v > 6 {
                break;
            }
            out.push(v);
        }
        out
    }
    call: (10)
}
case! {
    name: labeled_loops,
    async fn (n: u32) -> (u32, u32) {
        let mut hits = 0;
        let mut last = 0;
        'outer: for i in 0..n {
            for j in 0..n {
                let v = leaf("pair", 1, i * 10 + j).await;
                if j > i {
                    continue 'outer;
                }
                if v == 22 {
                    last = v;
                    break 'outer;
                }
                hits += 1;
            }
        }
        (hits, last)
    }
    call: (4)
}
case! {
    name: return_from_loop,
    async fn (n: u32) -> u32 {
        let _guard = Noisy::new("guard");
        let mut i = 0;
        loop {
            let v = leaf("l", 1, i).await;
            if v == n {
                return v * 100;
            }
            i += 1;
        }
    }
    call: (3)
}
case! {
    name: question_in_loop,
    async fn (limit: u32) -> Option<u32> {
        let mut sum = 0;
        for i in 0..5 {
            let v = leaf("maybe", 1, if i < limit { Some(i) } else { None }).await?;
            sum += v;
        }
        Some(sum)
    }
    call: (3)
}
case! {
    name: let_else_await,
    async fn (x: Option<u32>) -> u32 {
        let _n = Noisy::new("n");
        let Some(v) = leaf("opt", 1, x).await else {
            return 0;
        };
        v + leaf("more", 1, 1).await
    }
    call: (Some(2))
}
case! {
    name: let_else_await_none,
    async fn (x: Option<u32>) -> u32 {
        let _n = Noisy::new("n");
        let Some(v) = leaf("opt", 1, x).await else {
            return 0;
        };
        v
    }
    call: (None)
}
case! {
    name: nested_five_levels,
    async fn (n: u32) -> u32 {
        let mut acc = 0;
        for i in 0..n {
            match i % 3 {
                0 => {
                    if i > 0 {
                        let mut j = 0;
                        while j < 2 {
                            if j == 1 {
                                acc += leaf("deep", 1, i + j).await;
                            }
                            j += 1;
                        }
                    }
                }
                1 => acc += leaf("one", 0, 1).await,
                _ => {}
            }
        }
        acc
    }
    call: (7)
}
case! {
    name: forty_awaits,
    async fn () -> u32 {
        let mut s = 0;
        s += leaf("a0", 1, 0).await; s += leaf("a1", 0, 1).await; s += leaf("a2", 1, 2).await; s += leaf("a3", 0, 3).await;
        s += leaf("a4", 1, 4).await; s += leaf("a5", 0, 5).await; s += leaf("a6", 1, 6).await; s += leaf("a7", 0, 7).await;
        s += leaf("a8", 1, 8).await; s += leaf("a9", 0, 9).await;
        if s > 10 {
            s += leaf("b0", 1, 0).await; s += leaf("b1", 0, 1).await; s += leaf("b2", 1, 2).await; s += leaf("b3", 0, 3).await;
            s += leaf("b4", 1, 4).await; s += leaf("b5", 0, 5).await; s += leaf("b6", 1, 6).await; s += leaf("b7", 0, 7).await;
            s += leaf("b8", 1, 8).await; s += leaf("b9", 0, 9).await;
        } else {
            s += leaf("c0", 1, 0).await; s += leaf("c1", 0, 1).await;
        }
        let n = Noisy::new("mid");
        for i in 0..2 {
            s += leaf("d0", 1, i).await; s += leaf("d1", 0, 1).await; s += leaf("d2", 1, 2).await; s += leaf("d3", 0, 3).await;
            s += leaf("d4", 1, 4).await;
        }
        match s {
            0 => {}
            _ => {
                s += leaf("e0", 1, 0).await; s += leaf("e1", 0, 1).await; s += leaf("e2", 1, 2).await; s += leaf("e3", 0, 3).await;
                s += leaf("e4", 1, 4).await; s += leaf("e5", 0, 5).await; s += leaf("e6", 1, 6).await; s += leaf("e7", 0, 7).await;
                s += leaf("e8", 1, 8).await; s += leaf("e9", 0, 9).await;
            }
        }
        s + n.len() as u32
    }
    call: ()
}
case! {
    name: branch_value_in_expression,
    async fn (x: u32) -> u32 {
        let a = 1 + if x > 0 { leaf("pos", 1, x).await } else { 0 } * 2;
        a + match x { 0 => 0, _ => leaf("m", 1, 5).await }
    }
    call: (2)
}
case! {
    name: cancel_inside_loop_drops,
    async fn () -> u32 {
        let outer = Noisy::new("outer");
        let mut t = 0;
        for i in 0..3 {
            let inner = Noisy::new("inner");
            t += leaf("x", 2, i).await;
            let _ = inner.len();
        }
        t + outer.len() as u32
    }
    call: ()
}
case! {
    name: panic_inside_loop,
    async fn () -> u32 {
        let _outer = Noisy::new("outer");
        let mut t = 0;
        for i in 0..3 {
            let _inner = Noisy::new("inner");
            t += if i == 2 { panicking_leaf("boom", 1, 0).await } else { leaf("x", 1, i).await };
        }
        t
    }
    call: ()
}

case! {
    name: match_scrutinee_temporary_lives_across_await,
    async fn () -> u32 {
        let r = match Noisy::new("guard").len() {
            5 => leaf("five", 1, 5).await,
            n => n as u32,
        };
        log("after match");
        r
    }
    call: ()
}
case! {
    name: while_let_scrutinee_temporary_lives_through_body,
    async fn () -> u32 {
        let stack = std::rc::Rc::new(std::cell::RefCell::new(vec![1, 2, 3]));
        let mut sum = 0;
        while let Some(x) = Lock::new("lock", stack.clone()).pop() {
            sum += leaf("item", 1, x).await;
        }
        sum
    }
    call: ()
}
// ---- `&&` / `||` with an await in the right operand (runs only when needed) --------------
case! {
    name: lazy_and_with_await_in_right_operand,
    async fn (v: u64) -> u64 {
        let mut hits = 0;
        for i in 0..v {
            let t = Noisy::new("t").len() as u64 + i > 2 && leaf("rhs", 1, Noisy::new("r").len() as u64 + i).await % 2 == 0;
            log(format!("and {t}"));
            if i % 2 == 1 || (leaf("or", 1, i).await + Noisy::new("o").len() as u64) > 4 {
                hits += 1;
            }
            if (leaf("lhs", 1, i).await > 1 && leaf("rhs2", 0, i).await > 2) || leaf("last", 1, false).await {
                hits += 10;
            }
        }
        hits
    }
    call: (5)
}
// ---- `let .. else` whose `else` block awaits: the value and temporaries drop before it ----
case! {
    name: let_else_awaiting_in_else_block,
    async fn (v: u64) -> u64 {
        let _before = Noisy::new("before");
        let Some((mut x, _)) = noisy_option(v, "o") else {
            log("in else");
            let n = Noisy::new("in else");
            return leaf("else", 1, n.len() as u64).await;
        };
        x += leaf("after", 1, 1u64).await;
        x
    }
    call: (3)
}
case! {
    name: let_else_awaiting_in_else_block_matched,
    async fn (v: u64) -> u64 {
        let _before = Noisy::new("before");
        let Some((mut x, _)) = noisy_option(v, "o") else {
            log("in else");
            return leaf("else", 1, 0u64).await;
        };
        x += leaf("after", 1, 1u64).await;
        x
    }
    call: (4)
}
case! {
    name: let_else_awaiting_err_value_dropped_before_else,
    async fn (v: u64) -> u64 {
        let mut total = 0;
        for i in v..v + 3 {
            let Ok(k): Result<u64, Noisy> = noisy_result(i, "r") else {
                leaf("skip", 1, ()).await;
                continue;
            };
            total += leaf("ok", 1, k).await;
        }
        total
    }
    call: (3)
}
case! {
    name: let_else_awaiting_ref_binding_on_place,
    async fn (v: u64) -> usize {
        let opt = if v > 2 { Some(Noisy::new("kept")) } else { None };
        let Some(ref n) = opt else {
            return leaf("none", 1, 0usize).await;
        };
        let len = n.len();
        len + leaf("after", 1, 1usize).await
    }
    call: (3)
}
case! {
    // A branch whose last statement is `return f().await;`, in a `match` whose value is bound:
    // the code resuming after that await went on to give the `match` a `()` value (E0308).
    name: match_arm_returning_awaited_value_in_let,
    async fn (v: u64) -> u64 {
        let n = Noisy::new("n");
        let x = match noisy_option(v, "o") {
            Some((k, _)) => k,
            None => {
                log("none");
                return leaf("ret", 1, n.len() as u64).await;
            }
        };
        x + leaf("after", 1, 1u64).await
    }
    call: (3)
}
case! {
    name: let_else_awaiting_ref_mut_binding_on_place,
    async fn (v: u64) -> u64 {
        let mut opt = if v > 2 { Some(v) } else { None };
        let Some(ref mut n) = opt else {
            return leaf("none", 1, 0u64).await;
        };
        *n += 1;
        log(format!("{opt:?}"));
        leaf("after", 1, 1u64).await
    }
    call: (3)
}
// ---- labelled blocks: `'b: { .. }` runs as `'b: loop { break 'b { .. } }` ---------------------
// (the cases valid in both editions are in cases_edition.rs)
case! {
    name: labelled_block_tail_temporaries_and_return,
    async fn (v: u64) -> u64 {
        let _a = Noisy::new("a");
        let r = 'b: {
            let _l = Noisy::new("local");
            let k = leaf("a", 1, v).await;
            if k == 4 {
                return leaf("early", 1, k).await;
            }
            if k == 5 {
                break 'b 9;
            }
            Noisy::new("tail").len() as u64 + k
        };
        r + 1
    }
    drive(f): { f(1).await + f(4).await }
}
// ---- let chains (edition 2024): nested `if`s in a labelled block, jumps given labels --------
case! {
    name: let_chain_with_awaits_in_branches,
    async fn (v: u64) -> u64 {
        let _a = Noisy::new("a");
        if let Some((x, n)) = noisy_option(v, "o")
            && x > 1
            && let Ok(k) = noisy_result(x, "r")
        {
            leaf("then", 1, k + n.len() as u64).await
        } else {
            leaf("else", 1, 0u64).await
        }
    }
    drive(f): { f(1).await + f(2).await + f(3).await + f(4).await + f(5).await }
}
case! {
    name: let_chain_with_awaits_in_operands,
    async fn (v: u64) -> u64 {
        if let Some(x) = helper_opt("h", 1, Some(v)).await
            && leaf("c", 1, x).await > 2
            && let Some((y, _)) = noisy_option(x, "o")
        {
            y
        } else {
            0
        }
    }
    drive(f): { f(0).await + f(1).await + f(2).await + f(3).await + f(4).await }
}
case! {
    name: let_chain_in_loop_with_unlabelled_jumps,
    async fn (v: u64) -> u64 {
        let mut total = 0;
        for i in 0..v {
            if let Some((x, n)) = noisy_option(i, "o")
                && x % 2 == 1
            {
                if x == 5 {
                    break;
                }
                total += leaf("t", 1, n.len() as u64).await;
                continue;
            } else if i == 2 {
                continue;
            }
            total += leaf("e", 1, i).await;
        }
        total
    }
    drive(f): { f(4).await + f(8).await }
}
case! {
    name: let_chain_in_unlabelled_loop_value,
    async fn (v: u64) -> u64 {
        let mut i = 0;
        let r = loop {
            i += 1;
            if let Some((x, _n)) = noisy_option(i, "o")
                && let Ok(k) = noisy_result(x + v, "r")
            {
                if leaf("k", 1, k).await > 6 {
                    break k;
                }
            } else if i > 7 {
                break leaf("out", 1, 0u64).await;
            }
        };
        r
    }
    drive(f): { f(0).await + f(1).await }
}
case! {
    name: while_let_chain_with_awaits,
    async fn (v: u64) -> u64 {
        let mut it = Vec::from([Noisy::new("v0"), Noisy::new("v1"), Noisy::new("v2"), Noisy::new("v3")]).into_iter();
        let mut total = 0;
        while let Some(n) = it.next()
            && total < v
            && let Some(k) = helper_opt("h", 1, Some(n.len() as u64)).await
        {
            let _m = Noisy::new("body");
            total += leaf("body", 1, k).await;
        }
        total
    }
    drive(f): { f(3).await + f(100).await }
}
case! {
    name: let_chain_scrutinee_temporaries,
    async fn (v: u64) -> u64 {
        let _a = Noisy::new("a");
        let r = if let Some((x, _)) = noisy_option(Noisy::new("t1").len() as u64 + v, "o")
            && let Ok(k) = noisy_result(x + Noisy::new("t2").len() as u64, "r")
        {
            leaf("then", 1, k).await
        } else {
            leaf("else", 1, v).await
        };
        r + leaf("after", 1, 1u64).await
    }
    drive(f): { f(0).await + f(1).await + f(2).await + f(3).await }
}
case! {
    name: let_chain_in_operand_without_else,
    async fn (v: u64) -> u64 {
        let mut total = Noisy::new("before").len() as u64;
        if let Some((x, n)) = noisy_option(v, "o") && x != 4 {
            total += leaf("then", 1, x + n.len() as u64).await;
        }
        total + if let Ok(k) = noisy_result(v, "r") && k > 0 { k + 1 } else { leaf("else", 1, 7u64).await }
    }
    drive(f): { f(1).await + f(2).await + f(3).await + f(4).await }
}
case! {
    name: let_chain_on_place_by_reference,
    async fn (v: u64) -> u64 {
        let opt = noisy_option(v, "o");
        if let Some((x, n)) = &opt && *x > 1 {
            leaf("then", 1, *x + n.len() as u64).await
        } else {
            leaf("else", 1, 0u64).await
        }
    }
    drive(f): { f(1).await + f(2).await + f(3).await }
}
case! {
    name: if_let_on_borrowed_place_with_await_in_arm,
    async fn (v: u64) -> u64 {
        // The bindings are references into `opt`: nothing to drop, not kept across the await.
        let opt = noisy_option(v, "o");
        if let Some((x, n)) = &opt {
            leaf("then", 1, *x + n.len() as u64).await
        } else {
            leaf("else", 1, 0u64).await
        }
    }
    drive(f): { f(1).await + f(3).await }
}
case! {
    name: match_on_borrow_copying_through_ref_pattern_across_await,
    async fn (v: u64) -> u64 {
        // `&(a, b)` copies: `a` and `b` are values, kept across the await (not borrows of `pair`).
        let pair = (v, v + 1);
        let _n = Noisy::new("n");
        match &pair {
            &(a, b) if a > 0 => {
                let k = leaf("k", 1, a).await;
                a + b + k
            }
            _ => 0,
        }
    }
    drive(f): { f(0).await + f(2).await }
}
// ---- found by the generated-program test (tests/generator.rs) ------------------------------
// Lowering bugs minimised from generated programs (each failed when found: the lowered fn did
// not compile, or behaved differently from the native one); all fixed since.
case! {
    // A `continue` inside an `if let` in the argument of a whole-statement await
    // (`let x = f(if let .. { continue 'l; } ..).await;`): the flat path kept the argument in
    // the awaitee, which was wrapped in an `async move` block (the argument borrows a
    // temporary), so the `continue` was inside that block (E0267). The argument is evaluated
    // first now, as for an await inside a larger expression (found by the default generated
    // programs after the generator gained `&&`/`||` conditions).
    name: gen_bug_continue_in_if_let_in_awaited_argument,
    async fn (v: u64) -> u64 {
        let mut s = 0;
        'l: for i in 0..v {
            let x = leaf("a", 0, if let Some(k) = (Noisy::new("t").len() as u64 + i).checked_sub(1) { if k % 2 == 1 || i % 4 == 2 { continue 'l; } 14u64 } else { 5u64 }).await;
            s += x + leaf("b", 1, 1u64).await;
        }
        s
    }
    call: (4)
}
case! {
    // What a `while let` pattern leaves of its scrutinee's value (`_` here: the `Noisy`) lives
    // through the body, across its await, to the end of the iteration; the `let .. else` the
    // loop was lowered to dropped it before the body ran (found by the generator's
    // `while let` construct, seed 31).
    name: gen_bug_while_let_value_left_by_pattern_lives_through_body,
    async fn (v: u64) -> u64 {
        let mut i = 0u64;
        let mut s = 0u64;
        while let Some((w, _)) = noisy_option(if i < v { i + 1 } else { 3 }, "o") {
            i += 1;
            s += leaf("a", 1, w).await;
            log("end of body");
        }
        s
    }
    call: (3)
}
case! {
    // The same with an await in the scrutinee.
    name: gen_bug_while_let_value_left_by_pattern_with_await_in_scrutinee,
    async fn (v: u64) -> u64 {
        let mut i = 0u64;
        let mut s = 0u64;
        while let Some((w, _)) = noisy_option(if i < v { i + 1 } else { 3 } + leaf("h", 1, 0u64).await, "o") {
            i += 1;
            s += leaf("a", 1, w).await;
            log("end of body");
        }
        s
    }
    call: (3)
}
case! {
    // The temporaries of an `if` condition drop when the condition is evaluated, before the
    // branch runs; they were kept (across the await) to the end of the enclosing statement.
    name: gen_bug_temporary_in_if_condition,
    async fn () -> u64 {
        if (Noisy::new("t").len() as u64 + leaf("a", 1, 2u64).await) % 2 == 0 {
            log("then");
            1
        } else {
            log("else");
            leaf("b", 1, 2u64).await
        }
    }
    call: ()
}
case! {
    // Same for a `while` condition, on every iteration (this one was already right).
    name: temporary_in_while_condition,
    async fn () -> u64 {
        let mut i = 0u64;
        while Noisy::new("w").len() as u64 + leaf("c", 1, i).await < 8 {
            log("body");
            i += 3;
        }
        i
    }
    call: ()
}
case! {
    // And for an `if` without awaits in its branches, inside an expression.
    name: gen_bug_temporary_in_condition_of_if_operand,
    async fn () -> u64 {
        let x = 1 + if Noisy::new("t").len() as u64 + leaf("a", 1, 2u64).await > 3 {
            log("then");
            1
        } else {
            log("else");
            2
        };
        log("after");
        x
    }
    call: ()
}
case! {
    // Cancelled at a wrapped awaitee (it borrows `n`), the native fn drops the awaitee, then the
    // temporary and `later` (declared after `n`), then `n`; the wrapper held only `n` and
    // dropped it first. It now also takes the values declared after `n`.
    name: gen_bug_wrapped_awaitee_drops_before_later_values,
    async fn () -> u64 {
        let n = Noisy::new("n");
        let later = Noisy::new("later");
        let x = Noisy::new("t").len() as u64 + helper_len(&n).await;
        x + later.len() as u64
    }
    call: ()
}
case! {
    // Lowered failed to compile (E0382 "use of partially moved value"): the awaited scrutinee,
    // kept in a hidden local, was saved across the arm's await after `Some(m)` moved its payload.
    name: match_on_awaited_value_moving_payload_then_await,
    async fn () -> u64 {
        match leaf("a", 1, Some(Noisy::new("m"))).await {
            Some(m) => leaf("b", 1, m.len() as u64).await,
            None => 0,
        }
    }
    call: ()
}
case! {
    name: if_let_on_awaited_result_moving_payload_then_await,
    async fn () -> u64 {
        if let Ok(x) = leaf("a", 1, Ok::<Noisy, u64>(Noisy::new("o"))).await {
            log("then");
            leaf("t", 1, x.len() as u64).await
        } else {
            log("else");
            0
        }
    }
    call: ()
}
case! {
    // A borrowed local not used after the await still drops at the end of its scope (the
    // wrapper hands it back), not when the awaited call completes.
    name: borrowed_local_unused_after_await_drops_at_scope_end,
    async fn () -> u64 {
        let n = Noisy::new("n");
        let x = helper_len(&n).await;
        log("after");
        x
    }
    call: ()
}
case! {
    // Two locals borrowed by one wrapped awaitee drop in reverse declaration order (an `async`
    // block drops its captures in the order it first mentions them).
    name: wrapped_awaitee_borrowing_two_locals,
    async fn () -> u64 {
        let a = Noisy::new("a");
        let b = Noisy::new("b");
        let x = helper_len2(&a, &b).await;
        x + a.len() as u64
    }
    call: ()
}
case! {
    // Lowered failed to compile: E0426 "undeclared label". A `continue` in the awaited call's
    // arguments, in code after a branch with awaits (an arm where the loop is not written
    // natively), was not turned into a jump.
    name: gen_bug_continue_in_awaitee_after_branch,
    async fn () -> u64 {
        let mut i = 0u64;
        'l: loop {
            i += 1;
            if leaf("a", 1, 1u64).await % 2 == 0 {
                log("x");
            }
            leaf("c", 0, {
                if i < 2 {
                    continue 'l;
                }
                18u64
            })
            .await;
            if i < 3 {
                continue 'l;
            }
            break 'l 5;
        }
    }
    call: ()
}
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
case! {
    // Found by the generator (seed 777): a `continue` to an outer loop inside a block in an
    // awaited call's argument; the awaitee is wrapped, and a label cannot be reached from
    // inside an `async move` block, so that operand is evaluated first.
    name: gen_bug_continue_in_awaitee_argument,
    async fn () -> u64 {
        let mut total = 0;
        let n = Noisy::new("n");
        'outer: for i in 0..3u64 {
            total += leaf("a", 1, {
                if i == 1 {
                    continue 'outer;
                }
                i * 10
            } + n.len() as u64).await;
        }
        total
    }
    call: ()
}
case! {
    // Found by the generator (seed 777): a `continue` to a loop with awaits, inside the
    // arguments of `format!`, in code that runs after an await of that loop.
    name: gen_bug_continue_inside_format_arguments,
    async fn () -> usize {
        let mut i = 0u64;
        let v = 'outer: loop {
            i += 1;
            let _x = leaf("a", 1, i).await;
            break 'outer format!("{}", {
                if i < 3 {
                    continue 'outer;
                }
                i
            })
            .len();
        };
        v
    }
    call: ()
}
case! {
    // An await reached both by the code that continues natively after a branch (in the arm
    // starting at the body) and from the arm resuming inside the branch: its awaitee, an
    // `async move` block here, must be built at one place (two `async` blocks have two types).
    name: async_block_awaitee_after_branch,
    async fn (c: bool) -> u32 {
        let _a = Noisy::new("a");
        if c {
            leaf("in branch", 1, ()).await;
        }
        let k = 3;
        let _b = Noisy::new("b");
        (async move { leaf("inner", 2, k + 1).await }).await
    }
    call: (true)
}
case! {
    name: async_block_awaitee_after_branch_not_taken,
    async fn (c: bool) -> u32 {
        let _a = Noisy::new("a");
        if c {
            leaf("in branch", 1, ()).await;
        }
        let k = 3;
        (async move { leaf("inner", 2, k + 1).await }).await
    }
    call: (false)
}
case! {
    // Same with a wrapped awaitee (it borrows a saved local), after a loop left by `break`.
    name: borrowed_awaitee_after_branch_and_loop,
    async fn (n: usize) -> usize {
        let mut buf = Vec::new();
        let mut i = 0;
        loop {
            if i == n {
                break;
            }
            fill(&mut buf, 1).await;
            i += 1;
        }
        if buf.len() > 1 {
            leaf("big", 1, ()).await;
        }
        let m = fill(&mut buf, 2).await;
        m + buf.len() + [1, 2].iter().map(|x| x * 2).sum::<usize>()
    }
    call: (2)
}
case! {
    name: closure_in_awaitee_after_branch,
    async fn (c: bool) -> u32 {
        if c {
            leaf("in branch", 1, ()).await;
        }
        let f = |x: u32| x + 1;
        leaf("closure", 1, [1u32, 2].iter().map(|x| x * 3).sum::<u32>()).await + f(1)
    }
    call: (true)
}
case! {
    name: panicking_destructor_of_saved_local,
    async fn () -> usize {
        let x = Noisy::new("x");
        let p = PanicsOnDrop("p");
        let y = Noisy::new("y");
        let v = leaf("a", 1, 1).await;
        let w = leaf("b", 1, 2).await;
        let _ = &p;
        x.len() + y.len() + v + w
    }
    call: ()
}
case! {
    name: panicking_destructor_of_argument,
    async fn (a: Noisy, b: PanicsOnDrop, c: Noisy) -> usize {
        let v = leaf("a", 1, 1).await;
        let _ = &b;
        a.len() + c.len() + v
    }
    call: (Noisy("arg a"), PanicsOnDrop("arg b"), Noisy("arg c"))
}
case! {
    name: panicking_destructor_of_awaitee,
    async fn () -> usize {
        let x = Noisy::new("x");
        let v = PanicsWhenDropped(leaf("a", 2, 1), PanicsOnDrop("awaitee")).await;
        let y = Noisy::new("y");
        let w = leaf("b", 1, 2).await;
        x.len() + y.len() + v + w
    }
    call: ()
}
case! {
    name: match_on_local_copying_payload_then_await_and_use_after,
    async fn () -> u32 {
        let r: Option<u32> = Some(leaf("a", 1, 4).await);
        let v = match r {
            Some(x) => leaf("b", 1, x).await,
            None => 0,
        };
        v + r.unwrap_or(0)
    }
    call: ()
}
case! {
    name: match_on_call_value_lives_through_arm_await,
    async fn (ok: bool) -> usize {
        let make = |ok: bool| -> Result<usize, Noisy> { if ok { Ok(1) } else { Err(Noisy::new("err")) } };
        match make(ok) {
            Ok(x) => leaf("t", 1, x).await,
            Err(_) => {
                log("err arm");
                leaf("e", 1, 7usize).await
            }
        }
    }
    call: (false)
}
case! {
    name: match_on_call_value_user_enum_moving_payload,
    async fn (which: u32) -> usize {
        let make = |w: u32| if w == 0 { Cmd::Get(Noisy::new("key")) } else { Cmd::Quit };
        match make(which) {
            Cmd::Get(k) => leaf("get", 1, k.len()).await,
            Cmd::Quit => leaf("quit", 1, 0usize).await,
        }
    }
    call: (0)
}
case! {
    name: match_on_awaited_user_enum_moving_payload,
    async fn (which: u32) -> usize {
        let cmd = if which == 0 { Some(Cmd::Get(Noisy::new("key"))) } else if which == 1 { Some(Cmd::Quit) } else { None };
        let _first = Noisy::new("first");
        match leaf("recv", 1, cmd).await {
            Some(Cmd::Get(k)) => leaf("get", 1, k.len()).await,
            Some(Cmd::Quit) => leaf("quit", 1, 0usize).await,
            None => 1,
        }
    }
    call: (0)
}
case! {
    name: match_on_local_struct_moving_fields_then_await,
    async fn () -> usize {
        let t = TwoNoisy { a: Noisy::new("a"), b: Noisy::new("b") };
        let _after = Noisy::new("after");
        match t {
            TwoNoisy { a, b: second } => leaf("x", 1, a.len()).await + second.len(),
        }
    }
    call: ()
}
case! {
    name: match_value_moved_on_some_arms_lives_to_end_of_statement,
    async fn (v: u64) -> u64 {
        let x = leaf("outer", 2, match noisy_result(v, "r") {
            Ok(k) => k,
            Err(_) => leaf("in err", 1, 5u64).await,
        }).await;
        let y = leaf("outer2", 1, match leaf("a", 1, noisy_option(v, "o")).await {
            Some((k, _g)) => leaf("in some", 1, k).await,
            _ => 0,
        }).await;
        x + y
    }
    call: (1)
}
case! {
    name: match_value_moved_on_some_arms_even_path,
    async fn (v: u64) -> u64 {
        let x = leaf("outer", 2, match noisy_result(v, "r") {
            Ok(k) => leaf("in ok", 1, k).await,
            Err(_) => 7,
        }).await;
        x
    }
    call: (2)
}
case! {
    name: match_without_await_in_awaited_argument_lives_to_end_of_statement,
    async fn (v: u64) -> u64 {
        // The scrutinee values are temporaries of the whole statement: rustc drops the `Err`
        // and the `Some`'s `Noisy` (when an arm leaves them) after the outer await.
        let x = leaf("outer", 2, match noisy_result(v, "r") {
            Ok(k) => k,
            Err(_) => 5,
        }).await;
        let y = leaf("outer2", 1, match noisy_option(v, "o") {
            Some((k, _)) => k,
            None => 0,
        }).await;
        let z = leaf("outer3", 1, match noisy_option(v + 1, "p") {
            Some((k, g)) => { g.len(); k }
            None => 0,
        }).await;
        x + y + z
    }
    call: (1)
}
case! {
    name: match_without_await_in_operand_before_later_await,
    async fn (v: u64) -> u64 {
        let a = u64::max(v + match noisy_result(v, "s") {
            Ok(k) => k,
            Err(_) => 1,
        }, leaf("after", 2, 3u64).await);
        let b = u64::min(match noisy_result(v + 1, "t") {
            Ok(k) => k,
            Err(_) => 1,
        }, leaf("after2", 1, 9u64).await);
        a + b
    }
    call: (3)
}
case! {
    name: match_without_await_on_user_enum_and_borrows_in_operands,
    async fn (v: u64) -> u64 {
        let map = std::collections::BTreeMap::from([(1u64, Noisy::new("m"))]);
        let cmd = |v: u64| if v % 2 == 0 { Cmd::Quit } else { Cmd::Get(Noisy::new("c")) };
        // A user enum: `Get(n)` takes all of it, `Quit` leaves nothing either.
        let a = leaf("a", 1, match cmd(v) {
            Cmd::Get(n) => n.len() as u64,
            Cmd::Quit => 0,
        }).await;
        // A `_` arm leaves the value: kept to the end of the statement.
        let b = leaf("b", 1, match cmd(v + 2) {
            Cmd::Get(n) => n.len() as u64,
            _ => 1,
        }).await;
        // A borrow of a saved local as scrutinee (no destructor): not kept.
        let c = leaf("c", 1, match map.get(&v) {
            Some(_) => 1,
            None => 0,
        }).await;
        // A field of a temporary: the whole temporary lives to the end of the statement.
        let d = leaf("d", 1, match (Noisy::new("t"), v).1 {
            1 => 1,
            _ => 2,
        }).await;
        // Nested in the scrutinee of a `match` with an await.
        let e = match leaf("e", 1, match noisy_result(v, "n") { Ok(k) => k, Err(_) => 3 }).await {
            3 => leaf("e3", 1, 3u64).await,
            k => k,
        };
        map.len() as u64 + a + b + c + d + e
    }
    call: (1)
}
case! {
    name: deferred_initialization_across_awaits,
    async fn (c: bool) -> usize {
        // Declared without a value: not saved before it is assigned, declared again where the
        // code resumes.
        let result;
        let n: usize;
        let _guard = Noisy::new("guard");
        if c {
            result = leaf("a", 1, Noisy::new("x")).await;
            n = 1;
        } else {
            result = Noisy::new("y");
            n = leaf("b", 1, 2usize).await;
        }
        leaf("c", 1, 0usize).await;
        let later;
        leaf("d", 1, 0usize).await;
        later = Noisy::new("later");
        leaf("e", 2, 0usize).await;
        result.len() + n + later.len()
    }
    call: (true)
}
case! {
    name: deferred_initialization_other_branch,
    async fn (c: bool) -> usize {
        let result;
        let n: usize;
        let _guard = Noisy::new("guard");
        if c {
            result = leaf("a", 1, Noisy::new("x")).await;
            n = 1;
        } else {
            result = Noisy::new("y");
            n = leaf("b", 1, 2usize).await;
        }
        leaf("c", 1, 0usize).await;
        result.len() + n
    }
    call: (false)
}
case! {
    name: deferred_initialization_around_loops,
    async fn (n: u64) -> u64 {
        // Not mentioned in the first loop: still empty across its awaits. Assigned in the
        // second before its await on every iteration, and read after it.
        let total;
        let mut i = 0;
        while i < n {
            leaf("spin", 1, i).await;
            i += 1;
        }
        total = Noisy::new("total");
        for k in 0..n {
            // Declared in the loop: empty at the start of every iteration.
            let last;
            leaf("before", 1, k).await;
            last = Noisy::new(if k % 2 == 0 { "even" } else { "odd" });
            leaf("step", 1, k).await;
            log(format!("last {}", last.len()));
        }
        leaf("end", 1, 0u64).await;
        total.len() as u64 + i
    }
    call: (3)
}
case! {
    name: deferred_initialization_in_plain_branches_kept_across_later_await,
    async fn (c: u64) -> u64 {
        // Assigned in both branches of an `if` without awaits (and in the arms of a `match`,
        // one diverging): holds a value after it, kept across the await of an arm that does not
        // use it, dropped at the end of the fn.
        let d;
        if leaf("c", 1, c).await % 2 == 1 { d = Noisy::new("odd"); } else { d = Noisy::new("even"); }
        let e;
        match c {
            0 => return 0,
            1 => e = Noisy::new("one"),
            _ => { log("many"); e = Noisy::new("many") }
        }
        match c % 2 {
            0 => { leaf("a", 1, 10u64).await; 1 }
            _ => d.len() as u64 + e.len() as u64,
        }
    }
    call: (2)
}
case! {
    name: deferred_initialization_by_destructuring_assignment,
    async fn (v: u64) -> u64 {
        let (a, b);
        let _first = Noisy::new("first");
        (a, b) = (leaf("x", 1, v).await, Noisy::new("b"));
        let mut p = Noisy::new("p");
        let mut q = Noisy::new("q");
        leaf("y", 1, 0u64).await;
        (p, q) = (q, p);
        leaf("z", 1, 0u64).await;
        log(format!("{} {}", p.len(), q.len()));
        a + b.len() as u64
    }
    call: (4)
}
case! {
    name: deferred_initialization_with_diverging_arm_kept_to_scope_end,
    async fn (v: u64) -> u64 {
        // The arm that does not assign `_x` returns: it holds a value after the `match`, is not
        // used again, and is dropped at the end of the fn, after the last await.
        let _x;
        match leaf("r", 1, noisy_result(v, "r")).await {
            Ok(k) => {
                _x = Noisy::new("ok");
                leaf("in ok", 1, k).await;
            }
            Err(_) => return 0,
        }
        let _y;
        if v > 100 { return 1; } else { _y = Noisy::new("y"); }
        leaf("after", 1, 0u64).await;
        2
    }
    call: (4)
}
case! {
    name: operand_read_before_a_later_operand_changes_it,
    async fn (v: u64) -> u64 {
        // rustc reads `x` (a place operand) before the block that changes it runs.
        let mut x = v;
        let a = x + { x += 10; leaf("a", 1, 1u64).await };
        let b = u64::max(x, { x = 0; leaf("b", 1, 2u64).await });
        let mut s = String::from("s");
        let t = s + { s = String::from("new"); leaf("c", 1, "t").await };
        a * 100 + b * 10 + x + (t.len() + s.len()) as u64
    }
    call: (3)
}
case! {
    name: match_with_await_in_operand_keeps_value_left_by_other_arm,
    async fn (v: u64) -> u64 {
        // The `Some` arm (no await) leaves the `Noisy` in the scrutinee: it lives to the end of
        // the statement, past the later await.
        let s = sum_pair((match noisy_option(v, "o") {
            Some((k, _)) => k,
            None => leaf("none", 1, 0u64).await,
        }, leaf("later", 2, v).await));
        s
    }
    call: (1)
}
case! {
    name: match_without_await_on_guard_borrow_in_operand,
    async fn (v: u64) -> u64 {
        // The `lock()` guard in the scrutinee is a temporary of the whole statement: still
        // alive when the second operand runs and across its await.
        // A static, not a local of the fn (a guard borrowing a local cannot be kept in the
        // state: refused).
        static CELL: std::sync::Mutex<u64> = std::sync::Mutex::new(5);
        let r = sum_pair((match CELL.lock().unwrap().checked_add(v) { Some(x) => x, None => 0 }, {
            let free = CELL.try_lock().is_ok();
            log(format!("free {free}"));
            leaf("b", 1, free as u64).await
        }));
        let free = CELL.try_lock().is_ok();
        r + free as u64
    }
    call: (3)
}
case! {
    name: deref_of_guard_in_operand_lives_to_end_of_statement,
    async fn (v: u64) -> u64 {
        // The guard under `*` is a temporary of the whole statement: still held while the
        // second operand runs and across its await. A deref of a borrowing chain is fine too.
        static CELL: std::sync::Mutex<u64> = std::sync::Mutex::new(5);
        let list = vec![v, 7];
        let r = sum_pair((*CELL.lock().unwrap() + v, {
            let free = CELL.try_lock().is_ok();
            log(format!("free {free}"));
            leaf("b", 1, free as u64).await
        }));
        let m = u64::max(*list.first().unwrap(), leaf("c", 1, 1u64).await);
        r + m + list.len() as u64
    }
    call: (3)
}
case! {
    name: match_without_await_destructuring_user_struct_in_operand,
    async fn (v: u64) -> u64 {
        // Every arm takes all of the value (a user struct without `Drop`): nothing is kept, the
        // fields move into the arm and drop at its end, before the await.
        let two = |v: u64| TwoNoisy { a: Noisy::new(if v > 1 { "a" } else { "z" }), b: Noisy::new("b") };
        let x = leaf("outer", 1, match two(v) {
            TwoNoisy { a, b: second } => (a.len() + second.len()) as u64,
        }).await;
        x
    }
    call: (3)
}
case! {
    name: literal_temporaries_borrowed_by_awaitees,
    async fn (k: u32) -> u32 {
        // Shared borrows of literal arrays and tuples are promoted to constants: nothing to keep
        // (no wrapped awaitee); a `&mut` borrow of one is a temporary, kept across the await.
        let _a = Noisy::new("a");
        let s = leaf("sum", 1, [1u32, 2].iter().map(|x| x * k).sum::<u32>()).await;
        let it = leaf("iter", 1, [3u32, 4, 5].iter()).await;
        let t = leaf("tuple", 1, &(6u32, "seven")).await;
        let m = leaf("mut", 1, [8u32; 2].iter_mut().map(|x| { *x += k; *x }).sum::<u32>()).await;
        let r = leaf("ref mut", 1, *(&mut 9u32)).await;
        s + it.sum::<u32>() + t.0 + t.1.len() as u32 + m + r + leaf("neg", 1, [-1i32; 3].iter()).await.count() as u32
    }
    drive(f): { f(0).await + f(2).await }
}
case! {
    name: owned_results_of_borrowing_chains_kept_across_awaits,
    async fn (k: u64) -> u64 {
        // A chain that borrows (`.iter()`, `.chars()`) and ends in a method returning an owned
        // value holds no borrow: both the value and what it was computed from are saved.
        let v = vec![Noisy::new("v1"), Noisy::new("v2")];
        let n = v.iter().map(|x| x.len()).sum::<usize>() as u64;
        let s = String::from("abc");
        let c = s.chars().count() as u64;
        let a = [leaf("a", 1, k).await, 3u64].iter().sum::<u64>() + leaf("b", 1, 2u64).await;
        let has = v.iter().any(|x| x.len() > 1);
        n + c + a + leaf("c", 1, v.len() as u64 + s.len() as u64 + has as u64).await
    }
    drive(f): { f(0).await + f(5).await }
}
case! {
    name: labelled_block_operand_with_tail_temporaries,
    async fn (v: u64) -> u64 {
        // From 2024 the temporaries of a block's tail drop at the end of the block (refused in
        // 2021, where they live to the end of the statement: UI test in tests/ui2021).
        let _a = Noisy::new("a");
        leaf("x", 1, v).await + mark("m", 'b: {
            let n = Noisy::new("n");
            let k = leaf("k", 1, v).await;
            if k > 3 {
                break 'b k + n.len() as u64;
            }
            Noisy::new("t").len() as u64 + leaf("in tail", 1, k).await
        }) + leaf("after", 1, 1u64).await
    }
    drive(f): { f(0).await + f(5).await }
}
case! {
    name: match_on_local_unit_variant_arm_with_later_await,
    async fn (which: u32) -> usize {
        // Every arm takes all of `cmd`: `Get(k)` moves its payload, `Quit` leaves nothing to
        // drop (no `Drop` impl, checked). So `cmd` is not kept across the arms' awaits nor the
        // one after the `match` (keeping it there was E0382: partly moved on some paths).
        let mut n = 0;
        for w in 0..3u32 {
            let cmd = if (w + which) % 2 == 0 { Cmd::Get(Noisy::new("key")) } else { Cmd::Quit };
            let _t = Noisy::new("turn");
            match cmd {
                Cmd::Get(k) => {
                    leaf("get", 1, ()).await;
                    n += k.len();
                }
                Cmd::Quit => {
                    leaf("quit", 1, ()).await;
                }
            }
            n += leaf("after", 1, 1usize).await;
        }
        n
    }
    drive(f): { f(0).await + f(1).await }
}
case! {
    name: non_move_async_block_awaitee_borrowing_kept_local,
    async fn (k: u64) -> u64 {
        // The `async` block borrows `n` and `k`, both kept after the await: the awaitee is
        // wrapped (it takes them and hands them back), as for an awaited call borrowing them.
        let n = Noisy::new("n");
        let _after = Noisy::new("after");
        let a = async { leaf("in block", 1, n.len() as u64 + k).await }.await;
        let c = (|| n.len() as u64 + k)();
        a + c + leaf("last", 1, n.len() as u64).await
    }
    drive(f): { f(1).await }
}
case! {
    name: tuple_of_references_dead_before_await,
    async fn (k: usize) -> usize {
        // `first` and `last` borrow `v` and are dead at the await: nothing to keep (each binding
        // of a tuple pattern is paired with its own initializer: references, no destructor).
        let v = vec![Noisy::new("a"), Noisy::new("b")];
        let (first, last, n) = (&v[0], &v[v.len() - 1], k + 1);
        let s = first.len() + last.len();
        leaf("w", 1, ()).await;
        s + n + v.len()
    }
    drive(f): { f(1).await }
}
case! {
    name: labelled_block_tail_of_body_with_locals_and_tail_temporaries,
    async fn (v: u64) -> u64 {
        // From 2024 the labelled block's tail temporaries drop at its end, before the body's
        // locals (refused in 2021, where they drop after them: UI test in tests/ui2021).
        let n = Noisy::new("n");
        'b: {
            let k = leaf("k", 1, v).await;
            if k > 3 {
                break 'b k;
            }
            Noisy::new("t").len() as u64 + leaf("in tail", 1, k).await + n.len() as u64
        }
    }
    drive(f): { f(1).await + f(5).await }
}
case! {
    name: match_on_borrowed_slice_with_await_in_arm,
    async fn (n: u64) -> u64 {
        // `&v[..]` borrows a place (no temporary); the bindings are references, dead before
        // the await, and `v` is kept across it.
        let v: Vec<u64> = (0..n).collect();
        let _t = Noisy::new("t");
        match &v[..] {
            [] => 0,
            [x] => *x,
            [first, .., last] => {
                let (f, l) = (*first, *last);
                leaf("w", 1, ()).await;
                f + l + v.len() as u64
            }
        }
    }
    drive(f): { f(0).await + f(1).await + f(4).await }
}
case! {
    name: range_index_places_around_awaits,
    async fn (n: usize) -> usize {
        // `v[1..]` and `v[..k]` are places (a range of stable bounds): read where they are,
        // not copied into a temporary (an unsized one, before).
        let v: Vec<usize> = (0..n + 2).collect();
        let k = 1;
        let a = v[1..].len() + leaf("a", 1, 1usize).await;
        let b = leaf("b", 1, v[..k].len()).await + v[k..=k].iter().sum::<usize>();
        a + b
    }
    drive(f): { f(0).await + f(3).await }
}
case! {
    name: or_pattern_let_with_temporaries_around_await,
    async fn (k: u64) -> u64 {
        // An or-pattern binds `v` once (matched inside the statement's block, which hands out
        // each binding once).
        let (Ok(v) | Err(v), _t) = (leaf("r", 1, if k > 1 { Ok::<u64, u64>(k) } else { Err(0) }).await, Noisy::new("t").len());
        v
    }
    drive(f): { f(1).await + f(3).await }
}
// ---- `join!` and `select!`, each awaited as one future ----------------------------------
case! {
    name: join_macro_of_leaves_and_fns,
    async fn (x: u64) -> u64 {
        let n = Noisy::new("n");
        let (a, b) = awaitgraph::join!(leaf("a", 2, x), helper("h", 1, 3));
        let c = leaf("c", 1, a).await;
        n.len() as u64 + a + b + c
    }
    call: (4)
}
case! {
    name: try_join_macro_with_question,
    async fn (fail: bool) -> Result<u64, MyError> {
        let k = Noisy::new("k");
        let (a, b) = tokio::try_join!(fetch(1), fetch(if fail { 500 } else { 2 }))?;
        let c = leaf("c", 1, a + b).await;
        Ok(c + k.len() as u64)
    }
    drive(f): { let a = f(false).await; let b = f(true).await; (a, b) }
}
case! {
    name: select_macro_biased_in_let_with_handler_blocks,
    async fn () -> u64 {
        let n = Noisy::new("n");
        let mut total = 0;
        let r = tokio::select! {
            biased;
            v = leaf("slow", 3, 1u64) => v,
            v = leaf("fast", 1, 2u64) => { total += 10; v }
        };
        let m = Noisy::new("m");
        total + r + leaf("after", 1, m.len() as u64).await + n.len() as u64
    }
    call: ()
}
case! {
    name: select_macro_statement_with_preconditions_and_copied_locals,
    async fn (flag: bool) -> u32 {
        let mut out = Vec::new();
        let k = 7u32;
        let g = Noisy::new("g");
        tokio::select! {
            biased;
            v = leaf("x", 1, 3u32), if flag => { out.push(v + k); }
            v = leaf("y", 2, 4u32) => { out.push(v * 2); out.push(k) }
        }
        let borrowed = tokio::select! {
            v = helper_len(&g) => v as u32,
        };
        out.iter().sum::<u32>() + borrowed + g.len() as u32 + leaf("z", 1, 1).await
    }
    drive(f): { f(true).await + f(false).await }
}
case! {
    name: select_and_join_name_locals_shadowed_later,
    async fn (k: u64) -> u64 {
        // `x` and `n` are shadowed while alive: the lowering renames the first ones, also
        // inside the `join!` arguments and the `select!` branches.
        let x = Noisy::new("x1");
        let n = k + 1;
        let (a, b) = awaitgraph::join!(helper_len(&x), leaf("j", 1, n));
        let r = tokio::select! {
            biased;
            v = helper_len(&x), if n > 1 => v + n,
            v = leaf("s", 1, n) => { let x = v * n; x + 1 }
        };
        let x = Noisy::new("x2");
        let n = a + b + r;
        leaf("end", 1, n).await + x.len() as u64
    }
    drive(f): { f(0).await + f(3).await }
}
case! {
    name: copy_local_moved_in_a_let_chain_then_break_out_of_a_labelled_block,
    async fn (k: u64) -> u64 {
        let x = leaf("a", 0, 16u64).await + k;
        'b: {
            if (if let Some((c, _)) = noisy_option(5u64, "c") && let Ok(r) = noisy_result(x, "r") { mark("r", r) + c } else { leaf("e", 0, 4u64).await }) % 4 == 0 {
                break 'b leaf("d", 2, 17u64).await;
            }
            leaf("z", 0, 3u64).await
        }
    }
    drive(f): { f(1).await + f(4).await }
}
case! {
    name: moved_in_the_else_of_a_let_chain_whose_then_awaits,
    async fn (k: u64) -> u64 {
        let n = Noisy::new("n");
        let v = if let Some((c, _g)) = noisy_option(k, "c") && let Ok(r) = noisy_result(3u64, "r") { leaf("a", 1, c + r).await } else { drop(n); 7 };
        log("after");
        leaf("z", 1, v).await
    }
    drive(f): { f(1).await + f(5).await }
}
case! {
    name: assertion_message_awaits_only_when_it_fails,
    async fn (k: u64) -> u64 {
        // The message's arguments run only when the assertion fails (std: `if !c { panic!(..) }`):
        // its await must not run before the check (it did, hoisted like a `format!` argument).
        let _n = Noisy::new("n");
        assert!(leaf("c", 1, k).await < 5, "k is {} ({})", k, leaf("m", 1, k * 2).await);
        log("passed");
        leaf("a", 1, k).await
    }
    drive(f): { f(1).await + f(9).await }
}
case! {
    name: debug_assertions_with_awaits,
    async fn (k: u64) -> u64 {
        // `debug_assert*!` runs only with `debug_assertions` (the tests' builds have them):
        // `if cfg!(debug_assertions) { assert!(..) }`, as std expands it.
        let _n = Noisy::new("n");
        debug_assert!(leaf("d", 1, k).await < 5, "k {}", leaf("m", 1, k).await);
        log("after debug_assert");
        debug_assert_eq!(leaf("e", 1, k).await % 2, 1);
        debug_assert_ne!(k, leaf("f", 1, 3u64).await, "not {}", k);
        log("ok");
        k
    }
    drive(f): { f(1).await + f(5).await + f(3).await }
}
case! {
    name: borrowing_locals_without_destructor_drop_at_the_await,
    async fn (k: u64) -> u64 {
        // `first` (an `Option<&Noisy>`) and `it` (a slice iterator) borrow `v`, which is kept
        // across the await; they are not used after it, so they would be kept only to drop at
        // the end of the fn, which the state cannot do (a reference into itself; this was a
        // compile-time refusal). They have no destructor: dropped at the await instead.
        let v = vec![Noisy::new("a"), Noisy::new("b")];
        let first = v.first();
        let n = first.map_or(0, |x| x.len()) as u64;
        let mut it = v.iter();
        let second = it.nth(1).map_or(0, |x| x.len()) as u64;
        let t = leaf("t", 1, n + second + k).await;
        log("after");
        t + leaf("u", 1, v.len() as u64).await
    }
    drive(f): { f(1).await }
}
case! {
    name: future_from_a_question_mark,
    async fn (k: u64) -> Option<u64> {
        // `make(k)?.await`: the `?` gives the future itself (tokio's `fs` ops are written so);
        // the whole awaited value is evaluated first (was refused), its temporaries (`t`)
        // living to the end of the statement, after the await.
        let _n = Noisy::new("n");
        let a = (if k > 0 { Some(leaf("a", 1, k)) } else { None })?.await;
        let b = Some(Noisy::new("t").len() as u64).map(|l| leaf("b", 1, l))?.await;
        log("after");
        Some(a + b)
    }
    drive(f): { f(1).await.unwrap_or(0) + f(0).await.unwrap_or(7) }
}
case! {
    name: await_in_the_place_of_an_assignment_with_a_literal_value,
    async fn (k: u64) -> u64 {
        // `conn().await?.pending -= 1` (sqlx): the place awaits; with a literal value, the
        // order of value and place does not matter (was refused).
        let mut a = [1u64, 2, 3];
        a[leaf("i", 1, 1usize).await] += 10;
        a[leaf("j", 1, 2usize).await] = 7;
        let _n = Noisy::new("n");
        a[(leaf("m", 1, k).await % 3) as usize] -= 1;
        a[0] + a[1] + a[2] + k
    }
    drive(f): { f(1).await }
}
}
