//! Prints the expansion of a fn given on stdin, formatted (debugging aid):
//! `echo 'async fn f() {..}' | cargo run -p awaitgraph-core --example expand_fn`.
use std::io::Read;
use std::str::FromStr;
fn main() {
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s).expect("stdin");
    let t = proc_macro2::TokenStream::from_str(&s).expect("tokens");
    let config = awaitgraph_core::config::Config {
        diagrams: false,
        doc: false,
        ..Default::default()
    };
    match awaitgraph_core::lower(&config, t) {
        Ok((tokens, _)) => match syn::parse2::<syn::File>(tokens.clone()) {
            Ok(file) => println!("{}", prettyplease::unparse(&file)),
            Err(_) => println!("{tokens}"),
        },
        Err(e) => eprintln!("{e}"),
    }
}
