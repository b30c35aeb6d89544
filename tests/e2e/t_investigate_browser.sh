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
cc -O2 -o "$TMP/pngcolor" tests/e2e/tools/pngcolor.c $(pkg-config --cflags --libs zlib) || exit 1


$MT report DE-C1 $S -o "$TMP/case.html" 2>/dev/null
sed '/^<svg/,/^<\/svg>/d' "$TMP/case.html" > "$TMP/nosvg.html"

check "chromium renders the report to a screenshot" sh -c "
    cd $TMP && timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --disable-sync --no-first-run --disable-extensions \
        --user-data-dir=$TMP/p1 --window-size=1200,2600 --screenshot=$TMP/case.png file://$TMP/case.html 2>>$TMP/chromium.log &&
    [ -s $TMP/case.png ]"
check "the graph's node fill is painted (thousands of #f4a6a6 pixels)" sh -c "
    n=\$($TMP/pngcolor $TMP/case.png f4a6a6) && echo \"\$n pixels\" && [ \"\$n\" -gt 5000 ]"
check "the same page without the SVG has none of that colour" sh -c "
    cd $TMP && timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --disable-sync --no-first-run --disable-extensions \
        --user-data-dir=$TMP/p2 --window-size=1200,2600 --screenshot=$TMP/nosvg.png file://$TMP/nosvg.html 2>>$TMP/chromium.log &&
    [ \"\$($TMP/pngcolor $TMP/nosvg.png f4a6a6)\" -eq 0 ]"
timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --disable-extensions \
    --user-data-dir="$TMP/p3" --dump-dom "file://$TMP/case.html" > "$TMP/dom.html" 2>>"$TMP/chromium.log"
check "the DOM holds the inline svg inside the flow figure" sh -c "
    tr -d '\n' < $TMP/dom.html | grep -q '<figure id=\"flow\"><svg'"
check "the svg has one node group per account drawn (17) and the subject" sh -c "
    [ \$(grep -c '<g id=\"node[0-9]*\" class=\"node\">' $TMP/dom.html) -eq 17 ] &&
    grep -q '<title>DE-C1</title>' $TMP/dom.html"
finish
