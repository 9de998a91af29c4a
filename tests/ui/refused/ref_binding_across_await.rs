async fn tick() {}

#[awaitgraph::state_machine]
async fn keeps_ref() -> usize {
    let pair = (String::from("a"), 1);
    let (ref name, _) = pair;
    tick().await;
    name.len()
}

fn main() {}
