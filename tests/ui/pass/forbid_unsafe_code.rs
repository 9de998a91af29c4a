//! A crate that forbids `unsafe` code can use the attribute: the `unsafe` blocks of the
//! generated code come from the macro (the `unsafe_code` lint does not fire on them), and none
//! of them wraps the user's code.
#![forbid(unsafe_code)]

async fn fetch(v: u8) -> u8 {
    v
}

#[awaitgraph::state_machine(diagrams = false)]
async fn sequential(n: u8) -> u8 {
    let a = fetch(n).await;
    a + fetch(1).await
}

#[awaitgraph::state_machine(diagrams = false)]
async fn branches(flag: bool) -> u8 {
    let mut buf = Vec::new();
    if flag {
        buf.push(fetch(2).await);
    }
    buf.len() as u8 + fetch(3).await
}

fn main() {
    assert_eq!(awaitgraph::block_on(sequential(1)), 2);
    assert_eq!(awaitgraph::block_on(branches(true)), 4);
}
