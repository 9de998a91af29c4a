#![deny(unused_mut)] // like a native async fn, the lowering adds no needless `mut`
// The syntax `#[awaitgraph::state_machine]` accepts, in one crate that must compile and run.
#![deny(warnings)]

use std::fmt::Display;
use std::future::Future;

mod reexport {
    pub use awaitgraph as ag;
}

async fn fetch(n: u64) -> Result<u64, String> {
    Ok(n * 2)
}

async fn id<T>(t: T) -> T {
    t
}

async fn first(b: &[u8]) -> u8 {
    b[0]
}

async fn tick() {}

/// Doc comments and other attributes pass through.
#[awaitgraph::state_machine]
#[inline]
pub async fn demo(n: u64, name: &str) -> Result<usize, String> {
    let data = format!("{}-{}", name, fetch(n).await?);
    let len = id(data).await.len();
    Ok(len + n as usize)
}

/// Generics, a where clause, `impl Trait` arguments, and a named lifetime.
#[awaitgraph::state_machine]
async fn generic<'a, T, U>(t: T, label: &'a str, extra: impl Display) -> (T, &'a str, String)
where
    T: Clone + Send,
    U: Default,
{
    let copy = id(t.clone()).await;
    let _unused = U::default();
    tick().await;
    (copy, label, extra.to_string())
}

/// Pattern parameters, `mut` parameters, nested awaits in arguments, and `?` on `Option`.
#[awaitgraph::state_machine]
async fn patterns((a, b): (u8, u8), mut x: u8) -> Option<u8> {
    x += id(a).await + id(b).await;
    let y = id(Some(x)).await?;
    Some(y)
}

/// A borrowed buffer used again after the await.
#[awaitgraph::state_machine]
async fn borrowed() -> u8 {
    let mut buf = vec![7, 8];
    let f = first(&buf).await;
    buf.push(f);
    buf[2]
}

/// `-> impl Trait`.
#[awaitgraph::state_machine]
async fn opaque(n: u8) -> impl Display + Send {
    id(n).await
}

/// The runtime crate reached through a re-export.
#[awaitgraph::state_machine(crate = "reexport::ag", diagrams = false, doc = false)]
async fn through_reexport(n: u8) -> u8 {
    id(n).await + 1
}

struct Conn {
    flushed: u32,
}

impl Conn {
    async fn flush(&mut self) {
        self.flushed += 1;
    }
}

struct Client {
    conn: Conn,
    name: String,
}

impl Client {
    /// `&self`.
    #[awaitgraph::state_machine]
    async fn name_len(&self) -> usize {
        tick().await;
        self.name.len()
    }

    /// `&mut self`, reborrowed by two awaits.
    #[awaitgraph::state_machine]
    async fn flush_twice(&mut self) -> u32 {
        self.conn.flush().await;
        self.conn.flush().await;
        self.conn.flushed
    }

    /// `self`.
    #[awaitgraph::state_machine]
    async fn into_name(self) -> String {
        tick().await;
        self.name
    }

    /// `mut self`.
    #[awaitgraph::state_machine]
    async fn renamed(mut self, name: String) -> Self {
        tick().await;
        self.name = name;
        self
    }

    /// `self: Box<Self>`.
    #[awaitgraph::state_machine]
    async fn boxed(self: Box<Self>) -> u32 {
        tick().await;
        self.conn.flushed
    }
}

trait Named {
    fn label(&self) -> impl Future<Output = String>;
}

impl Named for Client {
    /// A trait-impl method.
    #[awaitgraph::state_machine]
    async fn label(&self) -> String {
        id(self.name.clone()).await
    }
}

/// No await at all.
#[awaitgraph::state_machine]
async fn no_await(n: u8) -> u8 {
    n + 1
}

fn require_send<T: Send>(t: T) -> T {
    t
}

/// Inner attributes of the body apply to the fn (carried as outer ones).
#[awaitgraph::state_machine]
async fn inner_attributes(n: u64) -> u64 {
    #![allow(clippy::let_and_return)]
    #![deny(unused_variables)]
    let m = fetch(n).await.unwrap_or(0);
    m
}

/// `let P: T = e else { .. }` whose initializer awaits.
#[awaitgraph::state_machine]
async fn typed_let_else(n: u64) -> u64 {
    let Ok(m): Result<u64, String> = fetch(n).await else {
        return 0;
    };
    let Some((a, _)): Option<(u64, String)> = Some((fetch(m).await.unwrap_or(0), String::new())).filter(|_| n > 1) else {
        return 1;
    };
    a
}

fn main() {
    use awaitgraph::block_on;
    assert_eq!(block_on(inner_attributes(2)), 4);
    assert_eq!((block_on(typed_let_else(1)), block_on(typed_let_else(2))), (1, 8));
    assert_eq!(block_on(demo(3, "x")), Ok(6)); // "x-6".len() + 3
    let (t, l, e) = block_on(generic::<u8, ()>(1, "l", 2));
    assert_eq!((t, l, e.as_str()), (1, "l", "2"));
    assert_eq!(block_on(patterns((1, 2), 3)), Some(6));
    assert_eq!(block_on(borrowed()), 7);
    assert_eq!(block_on(require_send(opaque(4))).to_string(), "4");
    assert_eq!(block_on(through_reexport(1)), 2);
    let mut c = Client {
        conn: Conn { flushed: 0 },
        name: "ab".into(),
    };
    assert_eq!(block_on(c.name_len()), 2);
    assert_eq!(block_on(require_send(c.flush_twice())), 2);
    assert_eq!(block_on(c.label()), "ab");
    let c = block_on(c.renamed("xyz".into()));
    assert_eq!(block_on(Box::new(c).boxed()), 2);
    let c = Client {
        conn: Conn { flushed: 0 },
        name: "n".into(),
    };
    assert_eq!(block_on(c.into_name()), "n");
    assert_eq!(block_on(no_await(1)), 2);
}
