//! awaitgraph's runtime against tokio's current_thread runtime, futures' LocalPool and smol's
//! LocalExecutor. Run with `cargo bench -p awaitgraph --bench runtime`; see BENCHMARKS.md.
//!
//! Every peer runs the same workload with its own spawn/yield/timer; the channel benchmark uses
//! each runtime's own channel where it has one (tokio: tokio::sync::mpsc) and `async-channel`
//! otherwise (awaitgraph's mpsc is a thin wrapper over it, so awaitgraph vs smol compares the
//! executors alone). LocalPool has no timer, so it is absent from the timer benchmark.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::Duration;

use criterion::{BenchmarkGroup, Criterion, measurement::WallTime};
use futures_executor::LocalPool;
use futures_util::task::LocalSpawnExt;

const TASKS: usize = 100_000;
const YIELD_TASKS: usize = 1_000;
const YIELDS_PER_TASK: usize = 1_000;
const ROUND_TRIPS: usize = 500_000; // 1M messages
const TIMERS: usize = 100_000;
const MACHINE_YIELDS: u32 = 100_000;

/// A hand-lowered state machine (what `#[state_machine]` generates) for the tracing cost.
#[path = "../tests/common/machine.rs"]
#[allow(dead_code)] // shared with the tests
mod machine;

/// Counts live heap bytes, for the memory-per-task report.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: forwards to `System` unchanged; only counts sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn tokio_rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
}

fn group<'a>(c: &'a mut Criterion, name: &str) -> BenchmarkGroup<'a, WallTime> {
    let mut g = c.benchmark_group(name);
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
    g
}

fn spawn_join(c: &mut Criterion) {
    let mut g = group(c, "spawn_join_100k");
    let rt = awaitgraph::Runtime::new();
    g.bench_function("awaitgraph", |b| {
        b.iter(|| {
            rt.block_on(async {
                let hs: Vec<_> = (0..TASKS)
                    .map(|i| awaitgraph::spawn(async move { i }))
                    .collect();
                for h in hs {
                    black_box(h.await.unwrap());
                }
            })
        })
    });
    let trt = tokio_rt();
    g.bench_function("tokio_current_thread", |b| {
        b.iter(|| {
            trt.block_on(async {
                let hs: Vec<_> = (0..TASKS).map(|i| tokio::spawn(async move { i })).collect();
                for h in hs {
                    black_box(h.await.unwrap());
                }
            })
        })
    });
    g.bench_function("futures_localpool", |b| {
        let mut pool = LocalPool::new();
        let sp = pool.spawner();
        b.iter(|| {
            let hs: Vec<_> = (0..TASKS)
                .map(|i| sp.spawn_local_with_handle(async move { i }).unwrap())
                .collect();
            pool.run_until(async {
                for h in hs {
                    black_box(h.await);
                }
            })
        })
    });
    let ex = async_executor::LocalExecutor::new();
    g.bench_function("smol_localexecutor", |b| {
        b.iter(|| {
            async_io::block_on(ex.run(async {
                let hs: Vec<_> = (0..TASKS).map(|i| ex.spawn(async move { i })).collect();
                for h in hs {
                    black_box(h.await);
                }
            }))
        })
    });
    g.finish();
}

fn yields(c: &mut Criterion) {
    let mut g = group(c, "yield_1m_across_1k_tasks");
    let rt = awaitgraph::Runtime::new();
    g.bench_function("awaitgraph", |b| {
        b.iter(|| {
            rt.block_on(async {
                let hs: Vec<_> = (0..YIELD_TASKS)
                    .map(|_| {
                        awaitgraph::spawn(async {
                            for _ in 0..YIELDS_PER_TASK {
                                awaitgraph::yield_now().await;
                            }
                        })
                    })
                    .collect();
                for h in hs {
                    h.await.unwrap();
                }
            })
        })
    });
    let trt = tokio_rt();
    g.bench_function("tokio_current_thread", |b| {
        b.iter(|| {
            trt.block_on(async {
                let hs: Vec<_> = (0..YIELD_TASKS)
                    .map(|_| {
                        tokio::spawn(async {
                            for _ in 0..YIELDS_PER_TASK {
                                tokio::task::yield_now().await;
                            }
                        })
                    })
                    .collect();
                for h in hs {
                    h.await.unwrap();
                }
            })
        })
    });
    g.bench_function("futures_localpool", |b| {
        let mut pool = LocalPool::new();
        let sp = pool.spawner();
        b.iter(|| {
            for _ in 0..YIELD_TASKS {
                sp.spawn_local(async {
                    for _ in 0..YIELDS_PER_TASK {
                        // A plain wake-and-pend yield, executor-agnostic.
                        awaitgraph::yield_now().await;
                    }
                })
                .unwrap();
            }
            pool.run();
        })
    });
    let ex = async_executor::LocalExecutor::new();
    g.bench_function("smol_localexecutor", |b| {
        b.iter(|| {
            async_io::block_on(ex.run(async {
                let hs: Vec<_> = (0..YIELD_TASKS)
                    .map(|_| {
                        ex.spawn(async {
                            for _ in 0..YIELDS_PER_TASK {
                                futures_lite::future::yield_now().await;
                            }
                        })
                    })
                    .collect();
                for h in hs {
                    h.await;
                }
            }))
        })
    });
    g.finish();
}

fn ping_pong(c: &mut Criterion) {
    let mut g = group(c, "ping_pong_1m_msgs");
    let rt = awaitgraph::Runtime::new();
    g.bench_function("awaitgraph", |b| {
        b.iter(|| {
            rt.block_on(async {
                let (ping, mut ping_rx) = awaitgraph::sync::mpsc::channel::<usize>(1);
                let (pong, mut pong_rx) = awaitgraph::sync::mpsc::channel::<usize>(1);
                let echo = awaitgraph::spawn(async move {
                    while let Some(v) = ping_rx.recv().await {
                        pong.send(v).await.unwrap();
                    }
                });
                for i in 0..ROUND_TRIPS {
                    ping.send(i).await.unwrap();
                    black_box(pong_rx.recv().await.unwrap());
                }
                drop(ping);
                echo.await.unwrap();
            })
        })
    });
    let trt = tokio_rt();
    g.bench_function("tokio_current_thread", |b| {
        b.iter(|| {
            trt.block_on(async {
                let (ping, mut ping_rx) = tokio::sync::mpsc::channel::<usize>(1);
                let (pong, mut pong_rx) = tokio::sync::mpsc::channel::<usize>(1);
                let echo = tokio::spawn(async move {
                    while let Some(v) = ping_rx.recv().await {
                        pong.send(v).await.unwrap();
                    }
                });
                for i in 0..ROUND_TRIPS {
                    ping.send(i).await.unwrap();
                    black_box(pong_rx.recv().await.unwrap());
                }
                drop(ping);
                echo.await.unwrap();
            })
        })
    });
    g.bench_function("futures_localpool", |b| {
        let mut pool = LocalPool::new();
        let sp = pool.spawner();
        b.iter(|| {
            let (ping, ping_rx) = async_channel::bounded::<usize>(1);
            let (pong, pong_rx) = async_channel::bounded::<usize>(1);
            sp.spawn_local(async move {
                while let Ok(v) = ping_rx.recv().await {
                    pong.send(v).await.unwrap();
                }
            })
            .unwrap();
            pool.run_until(async {
                for i in 0..ROUND_TRIPS {
                    ping.send(i).await.unwrap();
                    black_box(pong_rx.recv().await.unwrap());
                }
            });
            drop(ping);
            pool.run();
        })
    });
    let ex = async_executor::LocalExecutor::new();
    g.bench_function("smol_localexecutor", |b| {
        b.iter(|| {
            async_io::block_on(ex.run(async {
                let (ping, ping_rx) = async_channel::bounded::<usize>(1);
                let (pong, pong_rx) = async_channel::bounded::<usize>(1);
                let echo = ex.spawn(async move {
                    while let Ok(v) = ping_rx.recv().await {
                        pong.send(v).await.unwrap();
                    }
                });
                for i in 0..ROUND_TRIPS {
                    ping.send(i).await.unwrap();
                    black_box(pong_rx.recv().await.unwrap());
                }
                drop(ping);
                echo.await;
            }))
        })
    });
    g.finish();
}

/// Deadlines spread over 0..1 ms, so the run measures timer bookkeeping more than waiting.
fn timer_delay(i: usize) -> Duration {
    Duration::from_micros((i % 1000) as u64)
}

fn timers(c: &mut Criterion) {
    let mut g = group(c, "timers_100k");
    let rt = awaitgraph::Runtime::new();
    g.bench_function("awaitgraph", |b| {
        b.iter(|| {
            rt.block_on(async {
                let hs: Vec<_> = (0..TIMERS)
                    .map(|i| awaitgraph::spawn(awaitgraph::time::sleep(timer_delay(i))))
                    .collect();
                for h in hs {
                    h.await.unwrap();
                }
            })
        })
    });
    let trt = tokio_rt();
    g.bench_function("tokio_current_thread", |b| {
        b.iter(|| {
            trt.block_on(async {
                let hs: Vec<_> = (0..TIMERS)
                    .map(|i| tokio::spawn(tokio::time::sleep(timer_delay(i))))
                    .collect();
                for h in hs {
                    h.await.unwrap();
                }
            })
        })
    });
    let ex = async_executor::LocalExecutor::new();
    g.bench_function("smol_localexecutor", |b| {
        b.iter(|| {
            async_io::block_on(ex.run(async {
                let hs: Vec<_> = (0..TIMERS)
                    .map(|i| {
                        ex.spawn(async move {
                            async_io::Timer::after(timer_delay(i)).await;
                        })
                    })
                    .collect();
                for h in hs {
                    h.await;
                }
            }))
        })
    });
    g.finish();
}

fn block_on_ready(c: &mut Criterion) {
    let mut g = c.benchmark_group("block_on_ready");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    g.bench_function("awaitgraph", |b| {
        b.iter(|| awaitgraph::block_on(async { black_box(1) }))
    });
    let rt = awaitgraph::Runtime::new();
    g.bench_function("awaitgraph_runtime", |b| {
        b.iter(|| rt.block_on(async { black_box(1) }))
    });
    g.bench_function("pollster", |b| {
        b.iter(|| pollster::block_on(async { black_box(1) }))
    });
    let trt = tokio_rt();
    g.bench_function("tokio_current_thread", |b| {
        b.iter(|| trt.block_on(async { black_box(1) }))
    });
    g.bench_function("futures_executor", |b| {
        b.iter(|| futures_executor::block_on(async { black_box(1) }))
    });
    g.bench_function("smol_futures_lite", |b| {
        b.iter(|| futures_lite::future::block_on(async { black_box(1) }))
    });
    g.finish();
}

/// The cost of tracing: the same 100k-yield loop as a native async fn, as a generated state
/// machine with tracing off (one relaxed load per poll), and with tracing on.
fn tracing_cost(c: &mut Criterion) {
    let mut g = group(c, "machine_100k_yields");
    let rt = awaitgraph::Runtime::new();
    g.bench_function("native_async_fn", |b| {
        b.iter(|| {
            rt.block_on(async {
                let mut i = 0u32;
                while i < MACHINE_YIELDS {
                    awaitgraph::yield_now().await;
                    i += 1;
                }
                black_box(i)
            })
        })
    });
    g.bench_function("state_machine_trace_off", |b| {
        b.iter(|| black_box(rt.block_on(machine::count_yields(MACHINE_YIELDS))))
    });
    g.bench_function("state_machine_trace_on", |b| {
        b.iter(|| {
            let (n, trace) =
                awaitgraph::trace::record(|| rt.block_on(machine::count_yields(MACHINE_YIELDS)));
            black_box((n, trace.events().len()))
        })
    });
    g.finish();
}

/// Heap bytes per spawned, pending task (a future of a few bytes), printed before the benches.
fn memory_per_task() {
    const N: usize = 10_000;
    fn report(name: &str, bytes: isize) {
        println!(
            "memory per pending task  {name:<22} {:>6} B",
            bytes / N as isize
        );
    }
    {
        let rt = awaitgraph::Runtime::new();
        rt.block_on(async {
            let before = LIVE.load(Ordering::Relaxed);
            let hs: Vec<_> = (0..N)
                .map(|_| awaitgraph::spawn(std::future::pending::<()>()))
                .collect();
            awaitgraph::yield_now().await;
            report("awaitgraph", LIVE.load(Ordering::Relaxed) - before);
            drop(hs);
        });
    }
    {
        let trt = tokio_rt();
        trt.block_on(async {
            let before = LIVE.load(Ordering::Relaxed);
            let hs: Vec<_> = (0..N)
                .map(|_| tokio::spawn(std::future::pending::<()>()))
                .collect();
            tokio::task::yield_now().await;
            report(
                "tokio_current_thread",
                LIVE.load(Ordering::Relaxed) - before,
            );
            drop(hs);
        });
    }
    {
        let mut pool = LocalPool::new();
        let sp = pool.spawner();
        let before = LIVE.load(Ordering::Relaxed);
        let hs: Vec<_> = (0..N)
            .map(|_| {
                sp.spawn_local_with_handle(std::future::pending::<()>())
                    .unwrap()
            })
            .collect();
        pool.run_until_stalled();
        report("futures_localpool", LIVE.load(Ordering::Relaxed) - before);
        drop(hs);
    }
    {
        let ex = async_executor::LocalExecutor::new();
        async_io::block_on(ex.run(async {
            let before = LIVE.load(Ordering::Relaxed);
            let hs: Vec<_> = (0..N)
                .map(|_| ex.spawn(std::future::pending::<()>()))
                .collect();
            futures_lite::future::yield_now().await;
            report("smol_localexecutor", LIVE.load(Ordering::Relaxed) - before);
            drop(hs);
        }));
    }
}

fn main() {
    memory_per_task();
    let mut c = Criterion::default().configure_from_args();
    spawn_join(&mut c);
    yields(&mut c);
    ping_pong(&mut c);
    timers(&mut c);
    block_on_ready(&mut c);
    tracing_cost(&mut c);
    c.final_summary();
}
