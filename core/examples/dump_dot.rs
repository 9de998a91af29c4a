//! Prints the DOT of a fn given on stdin (debugging aid): `echo 'async fn f() {..}' | cargo run -p awaitgraph-core --example dump_dot`.
use std::io::Read;
use std::str::FromStr;
fn main() {
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s).expect("stdin");
    let t = proc_macro2::TokenStream::from_str(&s).expect("tokens");
    match awaitgraph_core::lower(&awaitgraph_core::config::Config::default(), t) {
        Ok((_, g)) => println!("{}", awaitgraph_core::render::dot::to_dot_string(&g)),
        Err(e) => eprintln!("{e}"),
    }
}
