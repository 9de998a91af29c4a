#!/bin/sh
# Regenerates the captured rustc layout output the parser tests in core/src/rustc_layout.rs read.
# Builds fixture/ with the installed (stable) toolchain into a fresh temporary target dir, the way
# `cargo awaitgraph compare` does, and stores:
#   captured/print-type-sizes.txt   stdout of `-Zprint-type-sizes`
#   captured/mir/<fn>.mir           `-Zdump-mir=coroutine_resume` dumps, one per coroutine
#   captured/rustc-version.txt      which compiler produced them
# Run from anywhere: sh core/tests/data/regen-rustc-layout.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out="$here/captured"
rm -rf "$out"
mkdir -p "$out/mir"
cd "$here/fixture"
RUSTC_BOOTSTRAP=1 cargo rustc --quiet --lib --target-dir "$tmp/target" -- \
    -Zprint-type-sizes -Zdump-mir=coroutine_resume -Zdump-mir-dir="$tmp/mir" \
    > "$out/print-type-sizes.txt"
# fixture.nested-inner-deep-{closure#0}.-------.coroutine_resume.0.mir -> nested-inner-deep.mir ({impl#1}-read -> impl1-read)
for f in "$tmp"/mir/*.mir; do
    name=$(basename "$f" | sed -e 's/^fixture\.//' -e 's/-{closure#0}\..*$//' -e 's/[{}#]//g')
    cp "$f" "$out/mir/$name.mir"
done
rustc --version > "$out/rustc-version.txt"
