//! The fns of `benches/poll.rs` in a plain binary, to count instructions with callgrind
//! (deterministic, unlike wall-clock time on a shared machine): `scripts/poll-instructions.sh`.
//! Usage: `poll_ir <seq|loop|match>-<native|lowered>[-dyn] <runs>`, or `poll_ir sizes 0` (`-dyn`: polled through
//! `Pin<&mut dyn Future>`, as an executor polls a task).

#[path = "../benches/poll_fns.rs"]
mod poll_fns;
use poll_fns::*;
use std::hint::black_box;

fn main() {
    let which = std::env::args().nth(1).unwrap_or_default();
    let n: u64 = std::env::args()
        .nth(2)
        .and_then(|x| x.parse().ok())
        .unwrap_or(20000);
    let mut s = 0u64;
    for _ in 0..n {
        s = s.wrapping_add(match which.as_str() {
            "seq-native" => run(seq_native(black_box(3))),
            "seq-lowered" => run(seq_lowered(black_box(3))),
            "loop-native" => run(loop_native(black_box(1000))),
            "loop-lowered" => run(loop_lowered(black_box(1000))),
            "match-native" => run(match_native(black_box(200))),
            "match-lowered" => run(match_lowered(black_box(200))),
            "seq-native-dyn" => run_dyn(seq_native(black_box(3))),
            "seq-lowered-dyn" => run_dyn(seq_lowered(black_box(3))),
            "loop-native-dyn" => run_dyn(loop_native(black_box(1000))),
            "loop-lowered-dyn" => run_dyn(loop_lowered(black_box(1000))),
            "match-native-dyn" => run_dyn(match_native(black_box(200))),
            "match-lowered-dyn" => run_dyn(match_lowered(black_box(200))),
            "sizes" => {
                sizes();
                0
            }
            _ => 0,
        });
    }
    println!("{s}");
}
/// `poll_ir sizes 0`: the futures' sizes, native and lowered.
fn sizes() {
    eprintln!(
        "seq {} {}",
        std::mem::size_of_val(&seq_native(1)),
        std::mem::size_of_val(&seq_lowered(1))
    );
    eprintln!(
        "loop {} {}",
        std::mem::size_of_val(&loop_native(1)),
        std::mem::size_of_val(&loop_lowered(1))
    );
    eprintln!(
        "match {} {}",
        std::mem::size_of_val(&match_native(1)),
        std::mem::size_of_val(&match_lowered(1))
    );
}
