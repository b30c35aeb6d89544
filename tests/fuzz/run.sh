#!/bin/sh
# Runs the fuzz targets built by `make fuzz` for SECONDS each (default 60),
# seeded with the shipped rules and the sample data. A crash, a hang, a leak
# or a sanitizer report stops the run with a non-zero exit and leaves the
# input in build-fuzz/ to reproduce it.
set -eu
cd "$(dirname "$0")/../.."
seconds=${1:-60}
B=build-fuzz
mkdir -p "$B/corpus-rules" "$B/corpus-decode" "$B/corpus-read"
cp rules/*.rule rules/*.list tests/rules/*.rule "$B/corpus-rules/"
i=0
for f in tests/e2e/data/*.csv tests/data/input/*.csv; do
    tail -n +2 "$f" | head -20 | while IFS= read -r line; do
        i=$((i + 1))
        printf '%s%s' "$(printf '\\%03o' $((i % 4)))" "$line" > "$B/corpus-decode/$(basename "$f")-$i"
    done
done
# whole files for the read path: a first byte choosing plain or 1-3 gzip
# members, then the rows of a sample
for f in tests/e2e/data/canonical.csv tests/data/input/*.csv; do
    for m in 0 1 2 3; do
        { printf "\\$m"; tail -n +2 "$f" | head -40; } > "$B/corpus-read/$(basename "$f")-m$m"
    done
done
for t in rules decode read; do
    echo "fuzz: $t for $seconds s"
    "$B/fuzz_$t" -max_total_time="$seconds" -max_len=4096 -timeout=10 \
        -artifact_prefix="$B/crash-$t-" "$B/corpus-$t" 2>"$B/fuzz-$t.log" ||
        { tail -40 "$B/fuzz-$t.log"; echo "fuzz: $t FAILED (see $B/)"; exit 1; }
    grep -E '^#[0-9]+.*DONE' "$B/fuzz-$t.log" | tail -1
done
echo "fuzz: no crash"
