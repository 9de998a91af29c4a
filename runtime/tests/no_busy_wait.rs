//! An idle runtime parks: waiting on a timer or on another thread uses (almost) no CPU.
mod common;

use std::time::Duration;

/// CPU time (user + system) of this process, from /proc (Linux).
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may contain spaces).
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = f[11].parse::<u64>().ok()? + f[12].parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10)) // USER_HZ is 100 on Linux
}

#[test]
fn idle_runtime_does_not_spin() {
    let Some(before) = cpu_time() else {
        eprintln!("no /proc/self/stat: skipped");
        return;
    };
    let rt = awaitgraph::Runtime::new();
    rt.block_on(async {
        // Idle on a timer: the thread parks until the deadline.
        awaitgraph::time::sleep(Duration::from_millis(400)).await;
        // Idle on another thread's work.
        awaitgraph::spawn_blocking(|| std::thread::sleep(Duration::from_millis(400)))
            .await
            .unwrap();
    });
    let used = cpu_time().unwrap() - before;
    // A spinning loop would burn ~800 ms of CPU here.
    assert!(
        used < Duration::from_millis(250),
        "idle runtime used {used:?} of CPU"
    );
}
