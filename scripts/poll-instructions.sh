#!/usr/bin/env bash
# Instructions per run of the poll benchmarks, native vs lowered, counted by callgrind.
# Usage: scripts/poll-instructions.sh   (needs valgrind)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q --release -p awaitgraph-tests --example poll_ir
bin=target/release/examples/poll_ir
ir() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$1" "$2" 2>&1 | awk '/Collected/ {print $4}'; }
# Instructions per run of each fn (the empty loop's count subtracted), then lowered/native.
# `inlined`: poll inlined into the polling loop; `dyn`: polled through `Pin<&mut dyn Future>`.
printf '%-10s %-8s %14s %14s %8s\n' bench polled native lowered ratio
for w in seq loop match; do
    case $w in seq) n=2000 ;; loop) n=20 ;; match) n=100 ;; esac
    base=$(ir none "$n")
    for how in inlined dyn; do
        sfx=; [ "$how" = dyn ] && sfx=-dyn
        a=$(ir "$w-native$sfx" "$n"); b=$(ir "$w-lowered$sfx" "$n")
        awk -v w="$w" -v h="$how" -v a="$a" -v b="$b" -v c="$base" -v n="$n" \
            'BEGIN { printf "%-10s %-8s %14.1f %14.1f %8.3f\n", w, h, (a-c)/n, (b-c)/n, (b-c)/(a-c) }'
    done
done
