// A trait's declaration has no body to lower: the attribute belongs on the impl's fn.
trait Store {
    #[awaitgraph::state_machine]
    async fn load(&self) -> u8;
}

fn main() {}
