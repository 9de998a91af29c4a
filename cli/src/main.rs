//! `cargo awaitgraph`: render diagrams (more subcommands to come).

mod render;

fn main() {
    // As a cargo subcommand the arguments are `cargo-awaitgraph awaitgraph <command> ...`.
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|a| a == "awaitgraph") {
        args.remove(0);
    }
    let result = match args.first().map(String::as_str) {
        Some("render") => render::run(&args[1..]),
        Some(other) => Err(format!("unknown command `{other}`; available: render")),
        None => Err(
            "usage: cargo awaitgraph render [PATH...] [--format svg|png] [--out DIR]".to_string(),
        ),
    };
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
