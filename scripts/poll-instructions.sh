#!/usr/bin/env bash
# Instructions per run of the poll benchmarks, native vs lowered, counted by callgrind.
# Usage: scripts/poll-instructions.sh   (needs valgrind)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q --release -p awaitgraph-tests --example poll_ir
bin=target/release/examples/poll_ir
ir() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$1" "$2" 2>&1 | awk '/Collected/ {print $4}'; }
printf '%-10s %14s %14s %8s\n' bench native lowered ratio
for w in seq loop match; do
    case $w in seq) n=2000 ;; loop) n=20 ;; match) n=100 ;; esac
    base=$(ir none "$n"); a=$(ir "$w-native" "$n"); b=$(ir "$w-lowered" "$n")
    awk -v w="$w" -v a="$a" -v b="$b" -v c="$base" -v n="$n" \
        'BEGIN { printf "%-10s %14.1f %14.1f %8.3f\n", w, (a-c)/n, (b-c)/n, (b-c)/(a-c) }'
done
