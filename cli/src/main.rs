//! `cargo awaitgraph`: render awaitgraph's diagrams and compare its lowering with rustc's own
//! coroutine layout.
//!
//! Cargo runs `cargo-awaitgraph awaitgraph <args>` for `cargo awaitgraph <args>`; running the
//! binary directly (`cargo-awaitgraph <args>`) works too.

/// `println!` that never panics: a closed stdout (`cargo awaitgraph compare | head`) ends the
/// program quietly instead of with a backtrace.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::say_line(format_args!($($arg)*))
    };
}

mod cargo;
mod compare;
mod dot;
mod lowering;
mod render;

/// Writes one line to stdout; exits quietly when stdout is closed.
fn say_line(args: std::fmt::Arguments<'_>) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    if let Err(e) = writeln!(out, "{args}") {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write to stdout: {e}");
        std::process::exit(1);
    }
}

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo awaitgraph <command> [options]

commands:
  compare   put awaitgraph's lowering beside rustc's coroutine layout (see `compare --help`)
  render    draw the state machines of annotated fns
  help      print this message";

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    // `cargo awaitgraph ...` passes the subcommand's own name first.
    if args.first().map(String::as_str) == Some("awaitgraph") {
        args.remove(0);
    }
    let Some(command) = args.first().cloned() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let rest = &args[1..];
    let result = match command.as_str() {
        "compare" => compare::run(rest),
        "render" => render::run(rest),
        "help" | "--help" | "-h" => {
            say!("{USAGE}");
            Ok(())
        }
        "--version" | "-V" => {
            say!("cargo-awaitgraph {}", env!("CARGO_PKG_VERSION"));
            Ok(())
        }
        other => Err(format!(
            "unknown command `{other}`: expected compare, render or help"
        )),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
