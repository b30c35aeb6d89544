#!/bin/sh
# A sharded scan on a real Slurm cluster of this machine, through the
# scripts of tools/slurm/ that users run: munged, slurmctld and slurmd
# from Debian's packages in a temporary directory (a generated slurm.conf
# for this host on free ports, a munge key made here), stopped by pid at
# the end. The job array of shards and the merge (afterok) give the
# alerts of one run, byte for byte; with one shard cancelled the merge
# never runs and no alerts file appears, and submitting that shard again
# completes the run; the same with the data read once (submit -S: a split
# job before the array), where a failed split leaves no shard and no
# merge; the nightly script does the same for a day's folder
# and, with a PostgreSQL server of the test harness, for the database; a
# failed shard leaves a record saying which and why.
set -u
. tests/e2e/lib.sh
MTGEN=${MTGEN:-tools/mtgen/mtgen}
R=tests/e2e/data/shard # window, graph and typology rules (t_shard.sh's)
MT=$(cd "$(dirname "$MT")" && pwd)/$(basename "$MT") # the jobs run elsewhere
export MT
C=$TMP/cluster
mkdir -p "$C/munge" "$C/sock" "$C/state" "$C/spool"
chmod 700 "$C/munge"
chmod 755 "$C/sock"

for cmd in munged mungekey slurmctld slurmd sbatch squeue scancel scontrol sinfo; do
    command -v $cmd >/dev/null || PATH=$PATH:/usr/sbin
    if ! command -v $cmd >/dev/null; then
        echo "not ok - $cmd is not installed (make deps installs slurm-wlm and munge)"
        exit 1
    fi
done

# Two free TCP ports from a per-process start (listening ones are in
# /proc/net/tcp and tcp6, in hex, state 0A).
listening() {
    cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
        awk '$4 == "0A" { split($2, a, ":"); print a[2] }' | while read -r h; do
        printf '%d\n' "0x$h"
    done
}
port=$((20000 + $$ % 20000))
while listening | grep -qx -e "$port" -e "$((port + 1))"; do
    port=$((port + 2))
done

pids=""
stop() {
    for p in $pids; do
        kill "$p" 2>/dev/null
    done
    for p in $pids; do
        wait "$p" 2>/dev/null
    done
    rm -rf "$TMP"
}
trap stop EXIT

mungekey --create --keyfile="$C/munge/munge.key"
munged -F --force --socket="$C/sock/munge.socket" --key-file="$C/munge/munge.key" \
    --log-file="$C/munged.log" --pid-file="$C/munged.pid" --seed-file="$C/munge/seed" \
    > "$C/munged.out" 2>&1 &
pids="$!"

host=$(hostname -s)
# proctrack/linuxproc and task/none: no cgroups, which a container may
# not let slurmd use; no accounting database.
cat > "$C/slurm.conf" <<EOF
ClusterName=mttest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=$(id -un)
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$C/sock/munge.socket
StateSaveLocation=$C/state
SlurmdSpoolDir=$C/spool
SlurmctldPidFile=$C/slurmctld.pid
SlurmdPidFile=$C/slurmd.pid
SlurmctldLogFile=$C/slurmctld.log
SlurmdLogFile=$C/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
NodeName=$host NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=mt Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$C/slurm.conf"
i=0
until [ -S "$C/sock/munge.socket" ] || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done
slurmctld -D -f "$C/slurm.conf" > "$C/slurmctld.out" 2>&1 &
pids="$pids $!"
slurmd -D -f "$C/slurm.conf" > "$C/slurmd.out" 2>&1 &
pids="$pids $!"

# wait_for SECONDS COMMAND...: until the command succeeds
wait_for() {
    n=$(($1 * 5))
    shift
    while ! "$@" >/dev/null 2>&1; do
        n=$((n - 1))
        [ $n -gt 0 ] || return 1
        sleep 0.2
    done
}
node_idle() { [ "$(sinfo -h -o %T 2>/dev/null)" = "idle" ]; }
queue_empty() { [ -z "$(squeue -h 2>/dev/null)" ] && squeue >/dev/null 2>&1; }
if ! wait_for 60 node_idle; then
    echo "not ok - the Slurm node came up"
    for f in munged.out slurmctld.out slurmd.out slurmctld.log slurmd.log; do
        echo "# $f:" && tail -n 15 "$C/$f" 2>/dev/null | sed 's/^/#   /'
    done
    exit 1
fi
echo "ok - munged, slurmctld and slurmd up on ports $port and $((port + 1))"

$MTGEN --seed 9 --accounts 1500 --days 40 --count all=1 --out "$TMP/bank" -q
ARGS="--rules $R --accounts $TMP/bank/accounts.csv $TMP/bank/transactions.csv"
$MT scan -q -o "$TMP/one.jsonl" $ARGS

# submit ARGS...: tools/slurm/submit, its line "array ID merge ID" kept
submit() { tools/slurm/submit "$@" > "$TMP/submit.out"; }
array_id() { awk '{ print $2 }' "$TMP/submit.out"; }
merge_id() { awk '{ print $4 }' "$TMP/submit.out"; }

check "submit: a job array of 3 shards and the merge (afterok)" submit -n 3 -d "$TMP/run" -- $ARGS
wait_for 300 queue_empty
check "Slurm: the merged alerts are one run's, byte for byte" cmp "$TMP/run/alerts.jsonl" "$TMP/one.jsonl"
check "Slurm: the merge's log adds up the shards" contains "$TMP/run/logs/merge.log" "merge: 3 shards"

# one shard cancelled before it ran: no merge, no alerts file
scontrol update PartitionName=mt State=DOWN
submit -n 3 -d "$TMP/run2" -- $ARGS
A=$(array_id)
M=$(merge_id)
scancel "${A}_1"
scontrol update PartitionName=mt State=UP
wait_for 300 queue_empty
merge_cancelled() {
    scontrol show job "$M" > "$TMP/merge.state" 2>&1
    contains "$TMP/merge.state" "JobState=CANCELLED" &&
        contains "$TMP/merge.state" "DependencyNeverSatisfied" &&
        [ ! -e "$TMP/run2/alerts.jsonl" ] && [ ! -e "$TMP/run2/shard-1.jsonl" ] &&
        [ -e "$TMP/run2/shard-0.jsonl" ] && [ -e "$TMP/run2/shard-2.jsonl" ]
}
check "Slurm: shard 1 cancelled: the merge never ran, no alerts file" merge_cancelled
submit -n 3 -d "$TMP/run2" -s 1 -- $ARGS
wait_for 300 queue_empty
check "Slurm: shard 1 submitted again completes the run, byte for byte" \
    cmp "$TMP/run2/alerts.jsonl" "$TMP/one.jsonl"

# the data read once: a split job, then the array (afterok), then the merge
check "submit -S: a split job, a job array of 3 shards on its rows file and the merge" \
    submit -S -n 3 -d "$TMP/run4" -- $ARGS
wait_for 300 queue_empty
check "Slurm, split once: the merged alerts are one run's, byte for byte" \
    cmp "$TMP/run4/alerts.jsonl" "$TMP/one.jsonl"
check "Slurm, split once: the split's log" contains "$TMP/run4/logs/split.log" "split: "
scontrol update PartitionName=mt State=DOWN
submit -S -n 3 -d "$TMP/run5" -- $ARGS
A=$(array_id)
scancel "${A}_2"
scontrol update PartitionName=mt State=UP
wait_for 300 queue_empty
check "Slurm, split once: shard 2 cancelled: no alerts file" sh -c \
    "[ -e '$TMP/run5/rows' ] && [ ! -e '$TMP/run5/alerts.jsonl' ] && [ ! -e '$TMP/run5/shard-2.jsonl' ]"
submit -S -n 3 -d "$TMP/run5" -s 2 -- $ARGS
wait_for 300 queue_empty
check "Slurm, split once: shard 2 submitted again on the rows file completes the run" \
    cmp "$TMP/run5/alerts.jsonl" "$TMP/one.jsonl"
submit -S -n 3 -d "$TMP/run6" -- --rules "$R" "$TMP/missing.csv"
A=$(array_id)
M=$(merge_id)
wait_for 300 queue_empty
split_failed() {
    scontrol show job "$M" > "$TMP/merge.state" 2>&1
    contains "$TMP/run6/split.failed" "the split failed with exit status 3" &&
        contains "$TMP/run6/split.failed" "missing.csv" &&
        contains "$TMP/merge.state" "DependencyNeverSatisfied" &&
        [ ! -e "$TMP/run6/rows" ] && [ ! -e "$TMP/run6/alerts.jsonl" ] &&
        [ -z "$(ls "$TMP/run6" | grep '^shard-')" ]
}
check "Slurm: a failed split: recorded, no shard ran, no merge, no alerts file" split_failed

# the nightly form: a day's folder under a base, 2 shards (read once)
B=$TMP/base
mkdir -p "$B/in/2024-02-09" "$B/rules"
cp "$R"/*.rule "$B/rules/"
cp "$TMP/bank/accounts.csv" "$B/accounts.csv"
cp "$TMP/bank/transactions.csv" "$B/in/2024-02-09/transactions.csv"
MT_DAY=2024-02-09 MT_SHARDS=2 tools/slurm/nightly.sh "$B" > "$TMP/submit.out"
wait_for 300 queue_empty
check "Slurm: the nightly script's run of a day gives one run's alerts" \
    cmp "$B/runs/2024-02-09/alerts.jsonl" "$TMP/one.jsonl"

# the nightly form from PostgreSQL: 3 shards read the database, the merge
# stores their alerts there as one incremental run
. tests/pg/pg-harness.sh
PG_EXTRA_CLEANUP=stop # the cluster too, as the harness's trap replaces ours
$MT db init --db '' >/dev/null
$MT load -q --db '' --accounts "$TMP/bank/accounts.csv" "$TMP/bank/transactions.csv"
MT_DB= MT_DAY=2024-02-10 MT_SHARDS=3 tools/slurm/nightly.sh "$B" > "$TMP/submit.out"
wait_for 300 queue_empty
db_night() {
    grep -o '"alert_id":"[0-9a-f]*"' "$TMP/one.jsonl" | cut -d'"' -f4 | sort -u > "$TMP/one.ids" &&
        pg_sql -c 'SELECT alert_id FROM alerts ORDER BY 1' > "$TMP/db.ids" &&
        [ -s "$TMP/one.ids" ] && diff "$TMP/one.ids" "$TMP/db.ids" &&
        contains "$B/runs/2024-02-10/stored" "merge: 3 shards" &&
        [ "$(pg_sql -c "SELECT count(*) FILTER (WHERE status = 'succeeded' AND incremental
            AND source LIKE '%3 shard files merged'), count(*) FROM runs")" = "1|1" ]
}
check "Slurm: the nightly script from PostgreSQL stores one run's alert ids as one run" db_night

# a shard that fails says which and why, and its task fails
mkdir -p "$TMP/run3"
failed_record() {
    SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_JOB_ID=77 sh tools/slurm/shard.sbatch "$TMP/run3" 3 \
        --rules "$R" "$TMP/missing.csv" 2>/dev/null
    rc=$?
    [ $rc -eq 3 ] && [ ! -e "$TMP/run3/shard-1.jsonl" ] &&
        contains "$TMP/run3/shard-1.failed" "shard 1 of 3 failed with exit status 3" &&
        contains "$TMP/run3/shard-1.failed" "missing.csv"
}
check "a failed shard task exits non-zero and records which shard and why" failed_record
finish
