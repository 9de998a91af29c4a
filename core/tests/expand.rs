//! Expansion snapshots: what `#[awaitgraph::state_machine]` generates for representative fns,
//! pretty-printed, so every change to the generated code shows up in review.
//! Update with `INSTA_UPDATE=always cargo test -p awaitgraph-core --test expand` (or
//! `cargo insta review`), then read the `.snap` files.

use awaitgraph_core::config::Config;
use proc_macro2::TokenStream;
use quote::quote;

/// Lowers `item` with the default options and pretty-prints the result.
fn expand(item: TokenStream) -> String {
    let (tokens, _graph) = awaitgraph_core::lower(&Config::default(), item).expect("lowers");
    let file: syn::File = syn::parse2(tokens).expect("the expansion parses as items");
    prettyplease::unparse(&file)
}

#[test]
fn demo_from_the_issue() {
    insta::assert_snapshot!(expand(quote! {
        async fn demo(n: u64, name: &str) -> Result<usize, MyError> {
            let data = format!("{}-{}", name, fetch(n).await?);
            let len = process(data).await;
            Ok(len + n as usize)
        }
    }));
}

#[test]
fn method_reborrowing_mut_self_twice() {
    insta::assert_snapshot!(expand(quote! {
        async fn flush_twice(&mut self) -> u32 {
            self.conn.flush().await;
            self.conn.flush().await;
            self.conn.flushed
        }
    }));
}

#[test]
fn borrowed_buffer() {
    insta::assert_snapshot!(expand(quote! {
        async fn fill() -> usize {
            let mut buf = Vec::new();
            let n = read(&mut buf).await;
            buf.truncate(n);
            buf.len()
        }
    }));
}

#[test]
fn nested_awaits_in_arguments() {
    insta::assert_snapshot!(expand(quote! {
        async fn sum() -> u32 {
            add(a().await, b().await)
        }
    }));
}

#[test]
fn early_return_and_question_mark_on_option() {
    insta::assert_snapshot!(expand(quote! {
        async fn lookup(key: u32) -> Option<String> {
            if key == 0 {
                return None;
            }
            let id = find(key).await?;
            let name = load(id).await?;
            Some(name)
        }
    }));
}

#[test]
fn no_await() {
    insta::assert_snapshot!(expand(quote! {
        async fn plain(n: u8) -> u8 {
            n + 1
        }
    }));
}
