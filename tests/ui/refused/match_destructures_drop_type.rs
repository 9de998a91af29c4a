async fn fetch(x: u32) -> u32 {
    x
}

/// A handle with a destructor and a public `Copy` field.
pub struct Handle(pub u32);
impl Drop for Handle {
    fn drop(&mut self) {}
}

async fn open() -> Handle {
    Handle(3)
}

// `Handle(fd)` copies the field out: the `Handle` itself must be dropped at the end of the
// `match`, after the arm's await; the lowering, which does not keep it, refuses.
#[awaitgraph::state_machine]
async fn read() -> u32 {
    match open().await {
        Handle(fd) => fetch(fd).await,
    }
}

fn main() {}
