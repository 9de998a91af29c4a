// A `select!` branch that moves a value of the fn: the lowering's `async { select! { .. } }`
// would take it when the `select!` starts (and drop it then when another branch is taken),
// natively it drops at the end of its scope. Refused at compile time unless the value is `Copy`.
async fn tick() -> u32 {
    1
}

#[awaitgraph::state_machine]
async fn moves_a_string() -> usize {
    let name = String::from("n");
    let k = 2usize;
    let got = tokio::select! {
        biased;
        _ = tick() => consume(name) + k,
        _ = tick() => k,
    };
    tick().await;
    got
}

fn consume(s: String) -> usize {
    s.len()
}

fn main() {}
