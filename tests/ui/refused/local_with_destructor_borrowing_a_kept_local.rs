async fn tick() {}

struct Noisy;
impl Drop for Noisy {
    fn drop(&mut self) {
        println!("drop");
    }
}

// Holds references into `v` and values with a destructor: the borrow checker lets it drop
// while `v` is moved (a `Vec`'s drop does not use the references), but dropping it at the
// await would run `Noisy::drop` early; the check at instantiation refuses it.
#[awaitgraph::state_machine]
async fn pairs(v: Vec<u32>) -> usize {
    let p = v.iter().map(|x| (x, Noisy)).collect::<Vec<_>>();
    let x = *p[0].0;
    tick().await;
    v.len() + x as usize
}

fn main() {
    awaitgraph::block_on(pairs(vec![1]));
}
