async fn fetch() -> u8 {
    1
}

macro_rules! my_macro {
    ($e:expr) => {
        $e + 1
    };
}

#[awaitgraph::state_machine]
async fn hidden() -> u8 {
    my_macro!(fetch().await)
}

fn main() {}
