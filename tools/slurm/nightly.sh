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
# which shard failed and why; resubmit it with submit -s K). MT_SHARDS is N
# (default 8), MT_DAY the day (default yesterday, YYYY-MM-DD).
set -eu
base=${1:?usage: nightly.sh BASE}
day=${MT_DAY:-$(date -u -d yesterday +%Y-%m-%d)}
n=${MT_SHARDS:-8}
set -- "$base/in/$day"/*.csv*
[ -e "$1" ] || { echo "nightly: no transactions in $base/in/$day" >&2; exit 3; }
exec "$(dirname "$0")/submit" -n "$n" -d "$base/runs/$day" -- \
    --rules "$base/rules" --accounts "$base/accounts.csv" "$@"
