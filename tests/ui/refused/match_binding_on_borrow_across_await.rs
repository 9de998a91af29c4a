async fn fetch() -> usize {
    1
}

#[awaitgraph::state_machine]
async fn kept(opt: Option<String>) -> usize {
    match &opt {
        Some(s) => {
            let n = fetch().await;
            s.len() + n
        }
        None => 0,
    }
}

fn main() {}
