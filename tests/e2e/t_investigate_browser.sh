#!/bin/sh
# The HTML case file opened in headless Chromium (Debian's chromium, no
# sandbox, no GPU, no network services, a fresh profile each time).
#
# What this proves: the page loads without external resources, the inline
# SVG is parsed into the DOM as SVG with one group per account drawn, and
# it is painted: the fill colour of accounts with alerts (#f4a6a6, used
# only inside the SVG) covers thousands of pixels of the screenshot, while
# the same page with the SVG taken out has none of it. It does not prove
# that the picture is laid out well; graph-c1.dot is checked for that.
. tests/e2e/lib.sh
D=tests/e2e/data/case
S="--alerts $D/alerts.jsonl --data $D/transactions.csv --accounts $D/accounts.csv"
CHROMIUM="timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking"
CHROMIUM="$CHROMIUM --disable-component-update --disable-sync --no-first-run --disable-extensions"
cc -O2 -o "$TMP/pngcolor" tests/e2e/tools/pngcolor.c $(pkg-config --cflags --libs zlib) || exit 1


$MT report DE-C1 $S -o "$TMP/case.html" 2>/dev/null
sed '/^<svg/,/^<\/svg>/d' "$TMP/case.html" > "$TMP/nosvg.html"

check "chromium renders the report to a screenshot" sh -c "
    cd $TMP && $CHROMIUM --user-data-dir=$TMP/p1 --window-size=1200,2600 --screenshot=$TMP/case.png file://$TMP/case.html 2>>$TMP/chromium.log &&
    [ -s $TMP/case.png ]"
check "the graph's node fill is painted (thousands of #f4a6a6 pixels)" sh -c "
    n=\$($TMP/pngcolor $TMP/case.png f4a6a6) && echo \"\$n pixels\" && [ \"\$n\" -gt 5000 ]"
check "the same page without the SVG has none of that colour" sh -c "
    cd $TMP && $CHROMIUM --user-data-dir=$TMP/p2 --window-size=1200,2600 --screenshot=$TMP/nosvg.png file://$TMP/nosvg.html 2>>$TMP/chromium.log &&
    [ \"\$($TMP/pngcolor $TMP/nosvg.png f4a6a6)\" -eq 0 ]"
$CHROMIUM --user-data-dir="$TMP/p3" --dump-dom "file://$TMP/case.html" > "$TMP/dom.html" 2>>"$TMP/chromium.log"
check "the DOM holds the inline svg inside the flow figure" sh -c "
    tr -d '\n' < $TMP/dom.html | grep -q '<figure id=\"flow\"><svg'"
check "the svg has one node group per account drawn (17) and the subject" sh -c "
    [ \$(grep -c '<g id=\"node[0-9]*\" class=\"node\">' $TMP/dom.html) -eq 17 ] &&
    grep -q '<title>DE-C1</title>' $TMP/dom.html"
# A planted TY-SEX case (mtgen, 500 accounts, scanned with the catalogue):
# the controller's case file, rendered, shows its possible victims: the
# orange fill (#ffe0a0) that only possible victims get covers thousands of
# pixels, and the DOM names each victim of instances.csv as a node.
G=$TMP/gen
tools/mtgen/mtgen --seed 7 --accounts 500 --days 45 --count all=0 --count TY-SEX=1 --out $G -q &&
    $MT scan -q --rules rules --accounts $G/accounts.csv $G/transactions.csv -o $G/alerts.jsonl
CTL=$(awk -F, '$1 == "TY-SEX" && $4 == "controller" { print $3; exit }' $G/instances.csv)
$MT report "$CTL" --alerts $G/alerts.jsonl --data $G/transactions.csv --accounts $G/accounts.csv -o "$TMP/ty.html" 2>/dev/null
check "chromium renders the TY-SEX controller's report to a screenshot" sh -c "
    cd $TMP && $CHROMIUM --user-data-dir=$TMP/p4 --window-size=1200,4000 --screenshot=$TMP/ty.png file://$TMP/ty.html 2>>$TMP/chromium.log &&
    [ -s $TMP/ty.png ]"
check "the screenshot shows possible victims (thousands of #ffe0a0 pixels)" sh -c "
    n=\$($TMP/pngcolor $TMP/ty.png ffe0a0) && echo \"\$n pixels\" && [ \"\$n\" -gt 3000 ]"
$CHROMIUM --user-data-dir="$TMP/p5" --dump-dom "file://$TMP/ty.html" > "$TMP/ty-dom.html" 2>>"$TMP/chromium.log"
check "every planted victim is a node of the rendered graph, labelled possible victim" sh -c "
    awk -F, '\$1 == \"TY-SEX\" && \$4 == \"victim\" { print \$3 }' $G/instances.csv > $TMP/victims && [ -s $TMP/victims ] &&
    while read v; do grep -A8 \"<title>\$v</title>\" $TMP/ty-dom.html | grep -q 'possible victim' || exit 1; done < $TMP/victims"
# MT_KEEP_SCREENSHOT=FILE keeps the screenshot for a person to look at.
if [ -n "${MT_KEEP_SCREENSHOT:-}" ]; then cp "$TMP/ty.png" "$MT_KEEP_SCREENSHOT"; fi
finish
