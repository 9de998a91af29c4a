//! Channel ping-pong: messages arrive in order, none lost, across tasks and threads;
//! closing works from both ends.
mod common;

use std::thread;

use awaitgraph::sync::{mpsc, oneshot};
use awaitgraph::{Runtime, spawn};

#[test]
fn ping_pong_between_tasks_bounded() {
    common::with_watchdog(60, || {
        const N: u64 = 100_000;
        let rt = Runtime::new();
        rt.block_on(async {
            let (ping_tx, mut ping_rx) = mpsc::channel::<u64>(1);
            let (pong_tx, mut pong_rx) = mpsc::channel::<u64>(1);
            let echo = spawn(async move {
                let mut n = 0;
                while let Some(v) = ping_rx.recv().await {
                    pong_tx.send(v + 1).await.unwrap();
                    n += 1;
                }
                n
            });
            for i in 0..N {
                ping_tx.send(i * 2).await.unwrap();
                assert_eq!(pong_rx.recv().await, Some(i * 2 + 1));
            }
            drop(ping_tx); // closes the channel: the echo task's loop ends
            assert_eq!(echo.await.unwrap(), N);
            assert_eq!(pong_rx.recv().await, None);
        });
    });
}

#[test]
fn ping_pong_with_another_thread_unbounded() {
    common::with_watchdog(60, || {
        const N: u64 = 20_000;
        let rt = Runtime::new();
        let (to_thread, mut from_rt) = mpsc::unbounded_channel::<u64>();
        let (to_rt, mut from_thread) = mpsc::unbounded_channel::<u64>();
        // A plain thread echoes with the other executor's block_on.
        let echo = thread::spawn(move || {
            awaitgraph::block_on(async move {
                while let Some(v) = from_rt.recv().await {
                    to_rt.send(v + 1).unwrap();
                }
            })
        });
        rt.block_on(async {
            for i in 0..N {
                to_thread.send(i).unwrap();
                assert_eq!(from_thread.recv().await, Some(i + 1));
            }
        });
        drop(to_thread);
        echo.join().unwrap();
    });
}

#[test]
fn bounded_channel_applies_backpressure_and_closes() {
    Runtime::new().block_on(async {
        let (tx, mut rx) = mpsc::channel::<u32>(2);
        tx.try_send(1).unwrap();
        tx.try_send(2).unwrap();
        assert!(matches!(tx.try_send(3), Err(mpsc::TrySendError::Full(3))));
        let tx2 = tx.clone();
        let sender = spawn(async move { tx2.send(3).await.is_ok() });
        awaitgraph::yield_now().await;
        assert!(
            !sender.is_finished(),
            "send should wait while the channel is full"
        );
        assert_eq!(rx.recv().await, Some(1));
        assert!(sender.await.unwrap());
        assert_eq!(rx.recv().await, Some(2));
        assert_eq!(rx.recv().await, Some(3));
        drop(rx);
        assert_eq!(tx.send(4).await, Err(mpsc::SendError(4)));
        let (otx, orx) = oneshot::channel::<u8>();
        drop(otx);
        assert_eq!(orx.await, Err(oneshot::RecvError));
    });
}
