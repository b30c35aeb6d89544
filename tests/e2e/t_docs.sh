#!/bin/sh
# The documentation: every link and file reference resolves
# (tools/check-links), the README stays a short page, nothing names notes
# kept outside the repository, and the check catches a planted broken
# link, anchor, path and a link out of the tree.
. tests/e2e/lib.sh

check "the tree: every link and file reference of the docs resolves" tools/check-links .
check "README.md has at most 300 lines" sh -c '[ "$(wc -l < README.md)" -le 300 ]'
# The names are written as patterns so that this file does not match itself.
check "no tracked file names design, indicator or style notes outside the repository" sh -c "
    ! git grep -n -E 'DESIGN[.]md|INDICATORS[.]md|STYLE[.]md'"

# A copy of the tracked files, to plant mistakes in.
mkdir "$TMP/c"
git ls-files | tar -cf - -T - | tar -xf - -C "$TMP/c"
check "the copy passes as the tree does" tools/check-links "$TMP/c"

echo 'See [the missing page](missing-page.md).' >> "$TMP/c/docs/scanning.md"
n=$(wc -l < "$TMP/c/docs/scanning.md")
check "a planted broken link fails, naming the file, line and target" sh -c "
    { tools/check-links $TMP/c > $TMP/out; [ \$? -eq 1 ]; } &&
    grep -qxF \"docs/scanning.md:$n: broken link: 'missing-page.md' does not exist\" $TMP/out"

cp docs/scanning.md "$TMP/c/docs/scanning.md"
echo 'See [nightly runs](postgres.md#nightly-runs-by-hand).' >> "$TMP/c/docs/operations.md"
n=$(wc -l < "$TMP/c/docs/operations.md")
check "a link to a heading the page lacks fails" sh -c "
    { tools/check-links $TMP/c > $TMP/out; [ \$? -eq 1 ]; } &&
    grep -qxF \"docs/operations.md:$n: broken link: no heading '#nightly-runs-by-hand' in 'docs/postgres.md'\" $TMP/out"

cp docs/operations.md "$TMP/c/docs/operations.md"
echo 'The limits are in `analyzer/limits.h`.' >> "$TMP/c/README.md"
n=$(wc -l < "$TMP/c/README.md")
check "a path to a file that moved fails" sh -c "
    { tools/check-links $TMP/c > $TMP/out; [ \$? -eq 1 ]; } &&
    grep -qxF \"README.md:$n: 'analyzer/limits.h' names a file that does not exist\" $TMP/out"

cp README.md "$TMP/c/README.md"
echo 'notes' > "$TMP/notes.md"
echo 'See [the notes](../../notes.md).' >> "$TMP/c/docs/design.md"
n=$(wc -l < "$TMP/c/docs/design.md")
check "a link to a file outside the repository fails" sh -c "
    { tools/check-links $TMP/c > $TMP/out; [ \$? -eq 1 ]; } &&
    grep -qxF \"docs/design.md:$n: link '../../notes.md' points outside the repository\" $TMP/out"
finish
