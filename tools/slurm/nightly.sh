#!/bin/sh
# The nightly sharded scan: submits yesterday's transactions (or DAY's) as
# N shards and their merge (tools/slurm/submit). Run it from scrontab or
# cron on a node that can submit, with everything on a shared filesystem:
#
#   # scrontab -e  (Slurm runs it as a job; cron: the same line in crontab -e)
#   #SCRON --time=00:05:00
#   30 1 * * * /opt/moneytrail/tools/slurm/nightly.sh /shared/moneytrail
#
# BASE holds rules/, accounts.csv and in/DAY/*.csv(.gz); each night's run
# goes to BASE/runs/DAY (alerts.jsonl when complete; shard-K.failed says
# which shard failed and why; resubmit it with submit -S -s K). The files
# are read once, by a split job before the shards (submit -S); MT_SPLIT=0
# has every shard read them instead. MT_SHARDS is N (default 8), MT_DAY the
# day (default yesterday, YYYY-MM-DD).
#
# With MT_DB=CONNINFO the night reads PostgreSQL instead: the shards run
# `scan --db --incremental`, the merge stores their alerts in the database
# as one incremental run (BASE/runs/DAY/stored when committed); BASE holds
# only rules/. Load the night's files before (`moneytrail load`).
set -eu
base=${1:?usage: nightly.sh BASE}
day=${MT_DAY:-$(date -u -d yesterday +%Y-%m-%d)}
n=${MT_SHARDS:-8}
here=$(dirname "$0")
if [ -n "${MT_DB+set}" ]; then
    exec "$here/submit" -n "$n" -d "$base/runs/$day" -m "--db=$MT_DB" -m --incremental \
        -m "--rules=$base/rules" -- "--db=$MT_DB" --incremental --rules "$base/rules"
fi
set -- "$base/in/$day"/*.csv*
[ -e "$1" ] || { echo "nightly: no transactions in $base/in/$day" >&2; exit 3; }
[ "${MT_SPLIT:-1}" = 0 ] && split= || split=-S
exec "$here/submit" -n "$n" -d "$base/runs/$day" $split -- \
    --rules "$base/rules" --accounts "$base/accounts.csv" "$@"
