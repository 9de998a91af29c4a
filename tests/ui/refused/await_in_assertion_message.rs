async fn describe() -> String {
    String::new()
}

// The message of `assert_eq!` runs only when it fails, and shows both values.
#[awaitgraph::state_machine]
async fn f(a: u64, b: u64) -> u64 {
    assert_eq!(a, b, "{}", describe().await);
    a
}

fn main() {}
