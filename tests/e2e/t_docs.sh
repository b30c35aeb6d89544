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

# planted NAME PAGE TEXT MESSAGE: appends the line TEXT to PAGE in the copy,
# expects check-links to fail with "PAGE:LINE: MESSAGE", and restores PAGE.
planted() {
    echo "$3" >> "$TMP/c/$2"
    n=$(wc -l < "$TMP/c/$2")
    check "$1" sh -c "
        { tools/check-links $TMP/c > $TMP/out; [ \$? -eq 1 ]; } &&
        grep -qxF \"$2:$n: $4\" $TMP/out"
    cp "$2" "$TMP/c/$2"
}
planted "a planted broken link fails, naming the file, line and target" docs/scanning.md \
    'See [the missing page](missing-page.md).' "broken link: 'missing-page.md' does not exist"
planted "a link to a heading the page lacks fails" docs/operations.md \
    'See [nightly runs](postgres.md#nightly-runs-by-hand).' \
    "broken link: no heading '#nightly-runs-by-hand' in 'docs/postgres.md'"
planted "a path to a file that moved fails" README.md \
    'The limits are in `analyzer/limits.h`.' "'analyzer/limits.h' names a file that does not exist"
echo 'notes' > "$TMP/notes.md"
planted "a link to a file outside the repository fails" docs/design.md \
    'See [the notes](../../notes.md).' "link '../../notes.md' points outside the repository"
check "the copy passes again once restored" tools/check-links "$TMP/c"
finish
