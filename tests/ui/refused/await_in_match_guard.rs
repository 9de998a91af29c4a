async fn ready(v: bool) -> bool {
    v
}

#[awaitgraph::state_machine]
async fn guard(x: u8) -> u8 {
    match x {
        n if ready(n > 1).await => n,
        _ => 0,
    }
}

fn main() {}
