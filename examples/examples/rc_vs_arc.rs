//! An `Rc` held across an await makes the future `!Send`; an `Arc` spawns fine.

use awaitgraph_examples::{print_diagrams, rc_vs_arc};

fn main() {
    let out = rc_vs_arc::run();
    println!(
        "spawn(total_arc([1, 2, 3, 4]))      = {:?}",
        out.spawned_arc
    );
    println!("spawn_local(total_rc([1, 2, 3, 4])) = {:?}", out.local_rc);
    println!(
        "total_arc's future is Send: {}",
        rc_vs_arc::is_send(&rc_vs_arc::total_arc(vec![]))
    );
    println!("spawn(total_rc(..)) does not compile: see the error in src/rc_vs_arc.rs");
    print_diagrams("rc_vs_arc", &["total_rc", "total_arc"]);
}
