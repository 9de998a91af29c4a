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

async fn open(name: String) -> Conn {
    Conn(name)
}

// The same for a temporary receiver whose statement goes on after the call (here it awaits
// again): it lives to the end of the statement, so the wrapper hands it back. Write
// `Conn::finish(open(..).await)`. (`let n = open(..).await.finish().await;` compiles: nothing
// of the statement runs after the call, the temporary is not handed back.)
#[awaitgraph::state_machine(diagrams = false)]
async fn open_and_close(name: String) -> usize {
    open(name).await.finish().await + open(String::new()).await.0.len()
}

fn main() {
    let _ = close(String::new());
    let _ = open_and_close(String::new());
}
