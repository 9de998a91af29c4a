async fn fetch(x: u32) -> u32 {
    x
}

/// A handle with a destructor and a public `Copy` field.
pub struct Handle(pub u32);
impl Drop for Handle {
    fn drop(&mut self) {}
}

fn open() -> Handle {
    Handle(3)
}

// A `match` without awaits, inside the operand of an awaited call: the `Handle` it matches is
// a temporary of the whole statement, dropped after `fetch(..).await`; `Handle(fd)` copies the
// field out, so the lowering would have to keep the `Handle` across that await: refused.
#[awaitgraph::state_machine]
async fn read() -> u32 {
    fetch(match open() {
        Handle(fd) => fd,
    })
    .await
}

fn main() {}
