// The receiver of an awaited method call is handed back by the lowering's wrapper after the
// call, to be dropped at the end of its scope as in the fn as written: a method taking `&self`
// or `&mut self` leaves it there. The lowering cannot tell from syntax that a method takes
// `self`, apart from known names (`into_*`, `unwrap*`, reqwest's `json`/`text`/`bytes`, ..):
// for any other, rustc reports E0382 at the `.await`. Write `Conn::finish(c).await` (README,
// "Known differences").
struct Conn(String);

impl Conn {
    async fn finish(self) -> usize {
        self.0.len()
    }
}

#[awaitgraph::state_machine(diagrams = false)]
async fn close(name: String) -> usize {
    let c = Conn(name);
    c.finish().await
}

fn main() {
    let _ = close(String::new());
}
