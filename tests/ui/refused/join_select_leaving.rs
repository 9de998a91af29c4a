// `join!` and `select!` are awaited as one future, `async { select! { .. } }.await`: what would
// leave that block instead of the fn or its loop is refused, except in a `select!` handler
// (each such exit becomes a value of the block, acted on after it: tests/cases_edition.rs).
async fn tick() -> u32 {
    1
}

#[awaitgraph::state_machine]
async fn question_in_a_select_future() -> Result<u32, String> {
    loop {
        tokio::select! {
            v = async { 1 }, if Ok::<bool, String>(true)? => return Ok(v),
        }
    }
}

macro_rules! my_macro {
    ($($t:tt)*) => {
        $($t)*
    };
}

#[awaitgraph::state_machine]
async fn leaving_inside_an_unknown_macro_of_a_handler() -> u32 {
    tokio::select! {
        v = tick() => if v > 0 { my_macro!(return 1) } else { v },
    }
}

#[awaitgraph::state_machine]
async fn question_in_join() -> Result<u32, String> {
    let (a, b) = tokio::join!(async { 1 }, async { Ok::<u32, String>(2) }.await?);
    Ok(a + b)
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
