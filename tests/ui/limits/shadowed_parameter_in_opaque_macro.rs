// `x` is shadowed in the body while still alive, so the lowering renames the parameter and its
// uses; the tokens of a macro it does not know are not renamed, and `x` there names a
// placeholder of type `ShadowedParameter` (not the parameter, which the step closure would
// otherwise copy silently). Known macros (`format!("{x}")`, ..) are renamed.
macro_rules! twice {
    ($e:expr) => {
        $e * 2
    };
}

async fn tick() {}

fn show(_: u32) {}

#[awaitgraph::state_machine(diagrams = false)]
async fn f(x: u32) -> u32 {
    show(twice!(x));
    let x = x + 1;
    tick().await;
    x
}

fn main() {}
