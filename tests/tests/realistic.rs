//! Async fns written the way tokio programs are (caches behind `&mut`, channels, locks, retries,
//! `spawn`, `spawn_blocking`, timeouts, `?` on boxed errors, labelled loops), each compiled
//! natively and lowered, run on the same inputs on tokio's current-thread runtime, outputs and
//! logs compared. The shapes the lowering refuses or rustc rejects through it (a `for` over a
//! borrowed local with an await inside, a lock guard borrowing an owned `Arc` kept after) are
//! written here the way the errors suggest; the UI tests pin the errors.

use std::collections::HashMap;
use std::sync::{Arc, Mutex as StdMutex};
use std::time::Duration;

use tokio::sync::{Mutex, RwLock, mpsc};

type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// What each run did, in order (the twins must log the same).
#[derive(Clone, Default)]
struct Log(Arc<StdMutex<Vec<String>>>);

impl Log {
    fn push(&self, s: impl Into<String>) {
        self.0.lock().unwrap().push(s.into());
    }
    fn take(&self) -> Vec<String> {
        std::mem::take(&mut self.0.lock().unwrap())
    }
}

async fn fetch(log: &Log, url: &str) -> Res<String> {
    tokio::task::yield_now().await;
    log.push(format!("fetch {url}"));
    if url.ends_with("/missing") {
        return Err(format!("404 {url}").into());
    }
    Ok(format!("body of {url}"))
}

async fn store(log: &Log, k: &str, v: &[u8]) -> Res<()> {
    tokio::task::yield_now().await;
    log.push(format!("store {k} {}", v.len()));
    if v.is_empty() {
        return Err(format!("empty value for {k}").into());
    }
    Ok(())
}

struct Client {
    base: String,
    cache: HashMap<String, String>,
    hits: u64,
    tx: mpsc::Sender<String>,
}

/// Native and lowered twins of each fn, in modules `native` and `lowered`.
macro_rules! twins {
    (@lower $($f:item)*) => {
        $(#[awaitgraph::state_machine(diagrams = false)] $f)*
    };
    ($($f:item)*) => {
        mod native {
            use super::*;
            $($f)*
        }
        mod lowered {
            use super::*;
            twins!(@lower $($f)*);
        }
    };
}

twins! {
    pub async fn get(c: &mut Client, log: &Log, path: &str) -> Res<String> {
        if let Some(v) = c.cache.get(path) {
            c.hits += 1;
            return Ok(v.clone());
        }
        let url = format!("{}/{}", c.base, path);
        let body = fetch(log, &url).await?;
        c.cache.insert(path.to_string(), body.clone());
        c.tx.send(url).await?;
        Ok(body)
    }

    pub async fn get_all(c: &mut Client, log: &Log, paths: Vec<&'static str>) -> Res<Vec<String>> {
        let mut out = Vec::with_capacity(paths.len());
        for p in paths {
            out.push(get(c, log, p).await?);
        }
        Ok(out)
    }

    pub async fn consumer(log: Log, mut rx: mpsc::Receiver<String>) -> usize {
        let mut seen = 0;
        while let Some(msg) = rx.recv().await {
            if msg.is_empty() {
                break;
            }
            log.push(format!("got {msg}"));
            seen += msg.len();
            tokio::time::sleep(Duration::from_millis(0)).await;
        }
        seen
    }

    // `m.lock().await` on an owned `Arc` kept after: rustc rejects the lowering (the guard
    // borrows the local the wrapper hands back); `lock_owned` holds its own `Arc`.
    pub async fn counter(m: Arc<Mutex<u64>>, n: u64) -> u64 {
        for _ in 0..n {
            let mut g = m.clone().lock_owned().await;
            *g += 1;
        }
        let v = *m.clone().lock_owned().await;
        v
    }

    // Through a reference, the guard borrows no local of the fn.
    pub async fn rw(m: &RwLock<Vec<u32>>, x: u32) -> usize {
        {
            let mut w = m.write().await;
            w.push(x);
        }
        let r = m.read().await;
        r.iter().filter(|x| **x > 1).count()
    }

    pub async fn parse_lines(text: String) -> Res<u64> {
        let mut total = 0;
        for line in text.lines() {
            let n: u64 = line.trim().parse()?;
            total += n;
        }
        tokio::task::yield_now().await;
        Ok(total)
    }

    pub async fn with_timeout(ms: u64) -> Option<u32> {
        match tokio::time::timeout(Duration::from_millis(ms), async {
            tokio::time::sleep(Duration::from_millis(5)).await;
            7u32
        })
        .await
        {
            Ok(v) => Some(v),
            Err(_) => None,
        }
    }

    pub async fn retry(log: &Log, url: String, attempts: u32) -> Res<String> {
        let mut last = None;
        for i in 0..attempts {
            match fetch(log, &url).await {
                Ok(b) => return Ok(b),
                Err(e) => {
                    log.push(format!("attempt {i}: {e}"));
                    last = Some(e);
                    tokio::time::sleep(Duration::from_millis(i as u64)).await;
                }
            }
        }
        Err(last.unwrap_or_else(|| "no attempts".into()))
    }

    pub async fn spawn_many(n: usize) -> usize {
        let mut handles = Vec::new();
        for i in 0..n {
            handles.push(tokio::spawn(async move { i * 2 }));
        }
        let mut sum = 0;
        for h in handles {
            sum += h.await.unwrap();
        }
        sum
    }

    pub async fn blocking(data: Vec<u8>) -> usize {
        let len = tokio::task::spawn_blocking(move || data.len()).await.unwrap();
        len
    }

    // `for k in &keys { .. .await }` keeps an iterator borrowing `keys` across the await
    // (refused); iterating over the owned keys does not.
    pub async fn save_all(log: &Log, items: HashMap<String, Vec<u8>>) -> Res<usize> {
        let mut keys: Vec<_> = items.keys().cloned().collect();
        keys.sort();
        let mut n = 0;
        for k in keys {
            let v = items[&k].clone();
            store(log, &k, &v).await?;
            n += v.len();
        }
        Ok(n)
    }

    pub async fn tally(words: Vec<String>) -> Vec<(String, usize)> {
        let mut counts = HashMap::new();
        for w in words {
            *counts.entry(w.to_lowercase()).or_insert(0) += 1;
            tokio::task::yield_now().await;
        }
        let mut v: Vec<_> = counts.into_iter().collect();
        v.sort();
        v
    }

    pub async fn first_word(s: String) -> Option<String> {
        let w = s.split_whitespace().next()?.to_string();
        tokio::task::yield_now().await;
        Some(w)
    }

    pub async fn send_all(tx: mpsc::Sender<u32>, xs: Vec<u32>) -> Res<usize> {
        let n = xs.iter().filter(|x| *x % 2 == 0).count();
        for x in xs.into_iter().filter(|x| x % 2 == 0) {
            tx.send(x).await?;
        }
        drop(tx);
        Ok(n)
    }

    // Indices instead of `rows.iter().enumerate()` (an iterator borrowing `rows`).
    pub async fn find(rows: Vec<Vec<u32>>) -> Option<(usize, usize)> {
        'outer: for i in 0..rows.len() {
            for j in 0..rows[i].len() {
                tokio::task::yield_now().await;
                let v = rows[i][j];
                if v == 0 {
                    continue 'outer;
                }
                if v == 42 {
                    return Some((i, j));
                }
            }
        }
        None
    }
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
}

/// Runs the same scenario with the native and the lowered fns; both must return and log the same.
macro_rules! same {
    (|$m:ident, $log:ident| $body:expr) => {{
        let run = |is_native: bool| {
            let $log = Log::default();
            let out = if is_native {
                use crate::native as $m;
                format!("{:?}", rt().block_on(async { $body }))
            } else {
                use crate::lowered as $m;
                format!("{:?}", rt().block_on(async { $body }))
            };
            (out, $log.take())
        };
        let (n, l) = (run(true), run(false));
        assert_eq!(n, l);
        n
    }};
}

#[test]
fn client_cache_channel_and_consumer() {
    let (out, log) = same!(|m, log| {
        let (tx, rx) = mpsc::channel(2);
        let consumer = tokio::spawn(m::consumer(log.clone(), rx));
        let mut c = Client {
            base: "http://x".into(),
            cache: HashMap::new(),
            hits: 0,
            tx,
        };
        let all = m::get_all(&mut c, &log, vec!["a", "b", "a"]).await;
        let missing = m::get(&mut c, &log, "missing")
            .await
            .map_err(|e| e.to_string());
        let hits = c.hits;
        drop(c);
        (
            all.map_err(|e| e.to_string()),
            missing,
            hits,
            consumer.await.unwrap(),
        )
    });
    assert!(
        out.contains("body of http://x/a") && out.contains("404"),
        "{out}"
    );
    assert!(log.iter().any(|l| l == "got http://x/b"), "{log:?}");
}

#[test]
fn locks_parsing_and_timeouts() {
    let (out, _) = same!(|m, log| {
        let _ = &log;
        let lock = RwLock::new(vec![1]);
        (
            m::counter(Arc::new(Mutex::new(0)), 3).await,
            m::rw(&lock, 5).await,
            m::rw(&lock, 0).await,
            m::parse_lines("1\n 2\n30".into())
                .await
                .map_err(|e| e.to_string()),
            m::parse_lines("1\nx".into())
                .await
                .map_err(|e| e.to_string()),
            m::with_timeout(100).await,
            m::with_timeout(0).await,
        )
    });
    assert_eq!(
        out,
        "(3, 1, 1, Ok(33), Err(\"invalid digit found in string\"), Some(7), None)"
    );
}

#[test]
fn retries_tasks_and_collections() {
    let (out, log) = same!(|m, log| {
        let items: HashMap<String, Vec<u8>> =
            [("b".to_string(), vec![1, 2]), ("a".to_string(), vec![3])].into();
        let mut bad = items.clone();
        bad.insert("c".into(), vec![]);
        let (tx, mut rx) = mpsc::channel(8);
        let sent = m::send_all(tx, vec![1, 2, 3, 4, 6])
            .await
            .map_err(|e| e.to_string());
        let mut got = Vec::new();
        while let Some(x) = rx.recv().await {
            got.push(x);
        }
        (
            m::retry(&log, "http://x/missing".into(), 3)
                .await
                .map_err(|e| e.to_string()),
            m::retry(&log, "http://x/ok".into(), 3)
                .await
                .map_err(|e| e.to_string()),
            m::spawn_many(5).await,
            m::blocking(vec![1, 2, 3]).await,
            m::save_all(&log, items).await.map_err(|e| e.to_string()),
            m::save_all(&log, bad).await.map_err(|e| e.to_string()),
            m::tally(vec!["A".into(), "b".into(), "a".into()]).await,
            m::first_word("  hello world".into()).await,
            m::first_word("   ".into()).await,
            (sent, got),
            m::find(vec![vec![1, 0, 42], vec![3, 42]]).await,
            m::find(vec![vec![0, 42]]).await,
        )
    });
    assert!(out.contains("Err(\"404 http://x/missing\")"), "{out}");
    assert!(out.contains("Err(\"empty value for c\")"), "{out}");
    assert!(out.contains("Some((1, 1)), None)"), "{out}");
    assert_eq!(log.iter().filter(|l| l.starts_with("attempt")).count(), 3);
}

/// The `lowered` twins really are the attribute's futures (an attribute on an `item` fragment
/// passed through `macro_rules!` is still expanded).
#[test]
fn lowered_twins_are_lowered() {
    let n = std::any::type_name_of_val(&native::first_word(String::new()));
    let l = std::any::type_name_of_val(&lowered::first_word(String::new()));
    assert!(!n.contains("awaitgraph"), "{n}");
    assert!(l.contains("awaitgraph"), "{l}");
}
