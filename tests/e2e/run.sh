#!/bin/sh
# Runs every end-to-end test script tests/e2e/t_*.sh from the repository
# root and prints one closing line "N passed, N failed". Each script prints
# "ok - ..." / "not ok - ..." lines and exits non-zero on a failure.
cd "$(dirname "$0")/../.." || exit 2
pass=0
fail=0
for t in tests/e2e/t_*.sh; do
    echo "# $t"
    if sh "$t"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "# FAILED: $t"
    fi
done
echo "e2e: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
