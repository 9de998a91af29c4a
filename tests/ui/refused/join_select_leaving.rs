// `join!` and `select!` are awaited as one future, `async { select! { .. } }.await`: what would
// leave that block instead of the fn or its loop is refused.
async fn tick() -> u32 {
    1
}

#[awaitgraph::state_machine]
async fn break_in_branch() -> u32 {
    let mut n = 0;
    loop {
        tokio::select! {
            v = tick() => n += v,
            _ = tick(), if n > 3 => break,
        }
    }
    n
}

#[awaitgraph::state_machine]
async fn question_in_join() -> Result<u32, String> {
    let (a, b) = tokio::join!(async { 1 }, async { Ok::<u32, String>(2) }.await?);
    Ok(a + b)
}

#[awaitgraph::state_machine]
async fn return_in_branch() -> u32 {
    tokio::select! {
        v = tick() => return v,
        else => {}
    }
    0
}

#[awaitgraph::state_machine]
async fn loop_inside_branch_is_fine() -> u32 {
    tokio::select! {
        v = tick() => {
            let mut k = v;
            loop {
                k += 1;
                if k > 3 {
                    break;
                }
            }
            k
        }
    }
}

#[awaitgraph::state_machine]
async fn unreadable_select() -> u32 {
    tokio::select! {
        v = tick() => v
        w = tick() => w,
    }
}

fn main() {}
