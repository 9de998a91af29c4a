//! Attributes of other macros below `#[awaitgraph::state_machine]` keep their effect.

use std::time::Duration;

/// `#[tokio::test]` needs an `async fn`: the lowering keeps one around the machine.
#[awaitgraph::state_machine]
#[tokio::test]
async fn tokio_test_below_the_attribute() {
    let a = tokio::time::sleep(Duration::from_millis(1)).await;
    let (tx, rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move { tx.send(a).unwrap() });
    assert_eq!(rx.await.unwrap(), ());
}

/// The same with arguments forwarded by name (`#[tokio::main]` style, used here directly).
#[awaitgraph::state_machine]
#[tokio::main(flavor = "current_thread")]
async fn main_like(n: u32) -> u32 {
    tokio::task::yield_now().await;
    n + 1
}

#[test]
fn tokio_main_below_the_attribute() {
    assert_eq!(main_like(41), 42);
}

/// `#[tracing::instrument]`: the span is entered on every poll of the lowered future, as for
/// the native fn, so code after an await still runs inside it.
mod instrument {
    use tracing::Span;

    async fn hop() {
        tokio::task::yield_now().await;
    }

    fn current() -> Option<&'static str> {
        Span::current().metadata().map(|m| m.name())
    }

    #[tracing::instrument]
    pub async fn native(x: u32) -> (Option<&'static str>, Option<&'static str>) {
        let before = current();
        hop().await;
        (before, current())
    }

    #[awaitgraph::state_machine]
    #[tracing::instrument]
    pub async fn lowered(x: u32) -> (Option<&'static str>, Option<&'static str>) {
        let before = current();
        hop().await;
        (before, current())
    }

    #[test]
    fn span_is_entered_before_and_after_the_await() {
        let subscriber = tracing_subscriber::registry();
        tracing::subscriber::with_default(subscriber, || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap();
            let n = rt.block_on(native(1));
            let l = rt.block_on(lowered(1));
            assert_eq!(n, (Some("native"), Some("native")));
            assert_eq!(l, (Some("lowered"), Some("lowered")));
        });
    }
}
