//! Helpers the equivalence cases call: leaf futures and plain async fns (not lowered).

#![allow(dead_code)]

pub use awaitgraph_tests::*;
use std::future::{Future, IntoFuture};

#[derive(Debug, PartialEq)]
pub struct MyError(pub String);

pub async fn fetch(n: u64) -> Result<u64, MyError> {
    let v = leaf("fetch", 1, n * 2).await;
    if n > 100 {
        Err(MyError("too big".into()))
    } else {
        Ok(v)
    }
}

pub async fn process(data: String) -> usize {
    let _held = Noisy::new("process");
    leaf("process", 2, data.len()).await
}

pub fn add(a: u32, b: u32) -> u32 {
    a + b
}

pub fn triple<A, B, C>(a: A, b: B, c: C) -> (A, B, C) {
    (a, b, c)
}

pub struct Wrapper(pub u32);
impl Wrapper {
    pub fn next_leaf(self) -> Leaf<u32> {
        leaf("next", 1, self.0 + 1)
    }
}

impl std::fmt::Debug for Wrapper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Wrapper({})", self.0)
    }
}

#[derive(Debug)]
pub struct Pair {
    pub first: u32,
    pub second: u32,
    pub name: Noisy,
}

#[derive(Debug, PartialEq)]
pub struct SmallError;
#[derive(Debug, PartialEq)]
pub struct BigError(pub &'static str);
impl From<SmallError> for BigError {
    fn from(_: SmallError) -> Self {
        log("convert error");
        BigError("converted")
    }
}

pub async fn fill(buf: &mut Vec<u32>, n: u32) -> usize {
    for i in 0..n {
        buf.push(leaf("fill", 1, i).await);
    }
    buf.len()
}

pub async fn measure(s: &String) -> usize {
    leaf("measure", 1, s.len()).await
}

/// A type that is not a future but converts into one.
pub struct Deferred(pub u32);
impl IntoFuture for Deferred {
    type Output = u32;
    type IntoFuture = Leaf<u32>;
    fn into_future(self) -> Leaf<u32> {
        log("into_future");
        leaf("deferred", 1, self.0)
    }
}

pub fn assert_future<F: Future>(f: F) -> F {
    f
}

/// A guard-like value: logs when taken and released, like a `MutexGuard` held by a temporary.
pub struct Lock {
    name: &'static str,
    stack: std::rc::Rc<std::cell::RefCell<Vec<u32>>>,
}

impl Lock {
    pub fn new(name: &'static str, stack: std::rc::Rc<std::cell::RefCell<Vec<u32>>>) -> Self {
        log(format!("lock {name}"));
        Lock { name, stack }
    }
    pub fn pop(&mut self) -> Option<u32> {
        self.stack.borrow_mut().pop()
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        log(format!("unlock {}", self.name));
    }
}

// ---- helpers of the generated programs (tests/generator.rs) --------------------------------

pub fn add3(a: u64, b: u64, c: u64) -> u64 {
    a + b + c
}

pub fn sum_pair((a, b): (u64, u64)) -> u64 {
    a + b
}

/// A nested async call holding a logging local across its own await.
pub async fn helper(name: &'static str, pending: u32, v: u64) -> u64 {
    let _held = Noisy::new(name);
    leaf(name, pending, v).await + 1
}

/// Borrows a local of the caller across an await.
pub async fn helper_len(n: &Noisy) -> u64 {
    leaf("helper_len", 1, n.len() as u64).await
}

pub async fn helper_opt(name: &'static str, pending: u32, v: Option<u64>) -> Option<u64> {
    let _held = Noisy::new(name);
    let x = leaf(name, pending, v).await?;
    Some(x + 1)
}

pub async fn helper_res(
    name: &'static str,
    pending: u32,
    v: Result<u64, SmallError>,
) -> Result<u64, SmallError> {
    let _held = Noisy::new(name);
    let x = leaf(name, pending, v).await?;
    Ok(x + 1)
}

/// Borrows two locals across its await (a wrapped awaitee taking both).
pub async fn helper_len2(a: &Noisy, b: &Noisy) -> u64 {
    leaf("both", 1, (a.len() + b.len()) as u64).await
}

/// A command with a payload that is moved out by `match` arms.
pub enum Cmd {
    Get(Noisy),
    Quit,
}

/// Two logging fields, destructured by `match` arms.
pub struct TwoNoisy {
    pub a: Noisy,
    pub b: Noisy,
}

/// `None` for multiples of 3, else `Some((v, Noisy))`: a value with drop glue to `match` on.
pub fn noisy_option(v: u64, name: &'static str) -> Option<(u64, Noisy)> {
    if v % 3 == 0 {
        None
    } else {
        Some((v, Noisy::new(name)))
    }
}

/// `Ok(v)` for even `v`, else `Err(Noisy)`: a value with drop glue to `match` on.
pub fn noisy_result(v: u64, name: &'static str) -> Result<u64, Noisy> {
    if v % 2 == 0 {
        Ok(v)
    } else {
        Err(Noisy::new(name))
    }
}
