# Helpers for the end-to-end scripts: sourced, not run.
# check NAME COMMAND...: runs the command, prints ok/not ok, counts failures.
failures=0
MT=${MT:-./moneytrail}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
check() {
    name=$1
    shift
    if "$@" >"$TMP/check.out" 2>&1; then
        echo "ok - $name"
    else
        echo "not ok - $name"
        sed 's/^/#   /' "$TMP/check.out" | head -20
        failures=$((failures + 1))
    fi
}
# expect_exit CODE COMMAND...: TRUE if the command exits with CODE (output in $TMP/out, $TMP/err)
expect_exit() {
    want=$1
    shift
    "$@" >"$TMP/out" 2>"$TMP/err"
    got=$?
    if [ "$got" -ne "$want" ]; then
        echo "exit $got, expected $want; stderr:"
        cat "$TMP/err"
        return 1
    fi
}
# contains FILE TEXT: TRUE if FILE holds TEXT (fixed string)
contains() {
    grep -qF -- "$2" "$1" || { echo "'$1' lacks: $2"; echo "it holds:"; cat "$1"; return 1; }
}
finish() {
    [ "$failures" -eq 0 ]
}

# The eight rules of version 1, named one by one: tests that compare alerts
# with tests/e2e/expected/canonical.jsonl read only these, so that growing
# the catalogue does not change their alerts.
V1_RULES=""
for r in ht-ml-01 ht-ml-04 ht-ml-05 ht-ml-15 ht-sex-01 ht-sex-02 ht-sex-04 ht-chd-02; do
    V1_RULES="$V1_RULES -r rules/$r.rule"
done
