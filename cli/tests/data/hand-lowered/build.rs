// Reads AWAITGRAPH_PASSTHROUGH like the real macro does, so compare sees a native and a
// lowered build of the same fn without depending on the macro.
fn main() {
    println!("cargo:rerun-if-env-changed=AWAITGRAPH_PASSTHROUGH");
    if std::env::var_os("AWAITGRAPH_PASSTHROUGH").is_some() {
        println!("cargo:rustc-cfg=passthrough");
    }
}
