#!/bin/sh
# The house rules of the source tree: no include points up a layer
# (tools/check-layers), and the check catches one that does.
. tests/e2e/lib.sh

check "the tree: no include points up a layer" tools/check-layers analyzer
cp -r analyzer "$TMP/a"
sed -i '1i #include "cli/cmd.h"' "$TMP/a/engine/window.h"
check "a planted upward include fails, naming the file, line and layers" sh -c "
    { tools/check-layers $TMP/a 2> $TMP/err; [ \$? -eq 1 ]; } &&
    grep -qF '$TMP/a/engine/window.h:1: include \"cli/cmd.h\" points up from engine/ to cli/' $TMP/err"
cp -r analyzer "$TMP/b"
sed -i '1i #include "txn.h"' "$TMP/b/rule/rule.h"
check "an include without its folder fails" sh -c "
    { tools/check-layers $TMP/b 2> $TMP/err; [ \$? -eq 1 ]; } &&
    grep -qF 'rule/rule.h:1: include \"txn.h\" without its folder' $TMP/err"
finish
