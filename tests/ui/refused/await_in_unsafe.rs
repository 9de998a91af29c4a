async fn fetch() -> u8 {
    1
}

#[awaitgraph::state_machine]
async fn raw() -> u8 {
    // SAFETY: nothing unsafe inside; the case checks that the attribute refuses an await here.
    unsafe { fetch().await }
}

fn main() {}
