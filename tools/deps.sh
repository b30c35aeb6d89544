#!/bin/sh
# Checks that every library and tool the build, tests and demo use is here;
# as root installs what is missing from Debian, otherwise prints the command.
set -u
missing=""
need_pkg() { pkg-config --exists "$1" 2>/dev/null || missing="$missing $2"; }
need_cmd() { command -v "$1" >/dev/null 2>&1 || missing="$missing $2"; }

need_cmd pkg-config pkg-config
need_cmd cc gcc
need_cmd gcc-ar gcc
need_cmd make make
need_pkg glib-2.0 libglib2.0-dev
need_pkg zlib zlib1g-dev
need_pkg libisal libisal-dev
need_pkg libpq libpq-dev
need_pkg libxml-2.0 libxml2-dev
need_pkg criterion libcriterion-dev
need_cmd gzip gzip
need_cmd zcat gzip
need_cmd cmp diffutils
need_cmd awk gawk
need_cmd sha256sum coreutils
need_cmd timeout coreutils
need_cmd dot graphviz
need_cmd chromium chromium
need_cmd xmllint libxml2-utils
need_cmd node nodejs
need_cmd npm npm
# The PostgreSQL tests start a private server from Debian's binaries.
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing="$missing postgresql"
need_cmd psql postgresql-client
# The Slurm test (tests/e2e/t_slurm.sh) starts a private cluster from Debian's.
[ -x /usr/sbin/slurmctld ] && [ -x /usr/sbin/slurmd ] || missing="$missing slurm-wlm"
[ -x /usr/sbin/munged ] || missing="$missing munge"
[ -e /usr/bin/time ] || missing="$missing time"
[ -d /usr/share/zoneinfo/Europe ] || missing="$missing tzdata"
# The npm packages only the tests use, each pinned in its folder's
# package.json and git-ignored: the FollowTheMoney model
# (@alephdata/followthemoney) for the export test, and mt940js, the MT940
# cross-check's independent parser.
npm_deps() {
    if [ ! -d tests/ftm/node_modules/@alephdata/followthemoney ]; then
        echo "deps: npm install in tests/ftm"
        (cd tests/ftm && npm ci --no-audit --no-fund --silent) || {
            echo "deps: npm ci in tests/ftm failed; run: cd tests/ftm && npm ci" >&2
            exit 1
        }
    fi
    [ -d tests/mt940/node_modules/mt940js ] && return 0
    npm install --prefix tests/mt940 --no-package-lock --no-audit --no-fund --silent || {
        echo "deps: npm install in tests/mt940 failed" >&2
        exit 1
    }
}

if [ -z "$missing" ]; then
    npm_deps
    echo "deps: all present"
    exit 0
fi
cmd="apt-get update && apt-get install -y$missing"
if [ "$(id -u)" = 0 ]; then
    echo "deps: installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq $missing >/dev/null || {
        echo "deps: apt-get failed; run: $cmd" >&2
        exit 1
    }
    npm_deps
else
    echo "deps: missing:$missing" >&2
    echo "deps: as root, run: $cmd" >&2
    exit 1
fi
