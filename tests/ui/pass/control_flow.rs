//! Branches and loops with awaits compile and run.

async fn fetch(v: u8) -> u8 {
    v
}

#[awaitgraph::state_machine]
async fn branches(flag: bool, o: Option<u8>) -> u8 {
    let a = if flag { fetch(1).await } else { 0 };
    let b = match o {
        Some(x) if x > 1 => fetch(x).await,
        Some(_) => 1,
        None => 0,
    };
    let c = if let Some(x) = o { fetch(x).await } else { 0 };
    a + b + c
}

#[awaitgraph::state_machine]
async fn loops(n: u8) -> u8 {
    let mut total = 0;
    let mut i = 0;
    while i < n {
        total += fetch(i).await;
        i += 1;
    }
    for x in 0..n {
        if x == 2 {
            continue;
        }
        total += fetch(x).await;
    }
    let last = loop {
        let v = fetch(total).await;
        if v > 3 {
            break v;
        }
        total += 1;
    };
    let Some(y) = fetch(last).await.checked_add(1) else { return 0 };
    y
}

fn main() {
    assert_eq!(awaitgraph::block_on(branches(true, Some(3))), 7);
    assert_eq!(awaitgraph::block_on(loops(4)), 11);
}
