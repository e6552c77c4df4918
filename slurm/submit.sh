#!/usr/bin/env bash
# Submits a whole SOCMap run to a Slurm cluster as four jobs, each starting when the one before it
# has succeeded (afterok):
#
#   1. train-part.sbatch     array of <parts> tasks: socmap run <pipeline> --part i/<parts>
#   2. merge-run.sbatch      socmap run <pipeline> --merge --no-maps
#   3. predict-shard.sbatch  array of <shards> tasks: socmap predict <pipeline> --shard i/<shards>
#   4. merge-maps.sbatch     socmap predict <pipeline> --merge
#
# usage: slurm/submit.sh [--wait] [--overwrite] <pipeline.yaml> <parts> <shards>
#
#   <shards> 0 leaves out jobs 3 and 4: the merge job then writes the maps itself (if the pipeline
#   has a 'predict' section).
#   --wait   stays until every job has ended, prints each task's result and exits 0 only when all
#            succeeded (1 when any failed, 124 on SOCMAP_SLURM_WAIT_TIMEOUT).
#   --overwrite  the output folder holds an earlier run's outputs: the merge replaces them (as
#            `socmap run --overwrite`); without it the parts fail at once rather than after training.
#
# Environment:
#   SOCMAP                      the socmap binary (default: socmap on PATH); passed on to the jobs
#   SOCMAP_SLURM_LOGS           folder of the jobs' output files (default ./slurm-logs); it must be on a
#                               file system that the compute nodes and this machine share
#   SOCMAP_SLURM_OPTS           extra sbatch options for every job, e.g. "--account=soil --qos=normal"
#   SOCMAP_SLURM_TRAIN_OPTS     ... for the training array only, e.g. "--cpus-per-task=4 --time=4:00:00"
#   SOCMAP_SLURM_MERGE_OPTS     ... for the merge job only
#   SOCMAP_SLURM_PREDICT_OPTS   ... for the prediction array only
#   SOCMAP_SLURM_MAPS_OPTS      ... for the maps merge job only
#   SOCMAP_SLURM_POLL           with --wait, seconds between two looks at the queue (default 10)
#   SOCMAP_SLURM_WAIT_TIMEOUT   with --wait, give up after this many seconds (default: no limit)
#   Slurm's own SBATCH_PARTITION, SBATCH_TIMELIMIT, SBATCH_ACCOUNT, SBATCH_QOS, SLURM_CONF apply too.
#   Options given here win over the #SBATCH lines in the .sbatch files.
set -euo pipefail

# Parameter expansions rather than dirname and basename: the "sbatch not found" message below must
# come out even with a PATH that holds nothing.
dir_of() { case "$1" in */*) echo "${1%/*}/" ;; *) echo . ;; esac; }
here=$(cd "$(dir_of "${BASH_SOURCE[0]}")" && pwd)
me=${0##*/}
say() { echo "$me: $*" >&2; }
die() { echo "$me: error: $*" >&2; exit 1; }

usage() {
    echo "usage: $me [--wait] [--overwrite] <pipeline.yaml> <parts> <shards>   (see slurm/README.md)" >&2
    exit 2
}

wait_for_end=""
overwrite=()
args=()
for a in "$@"; do
    case "$a" in
        --wait) wait_for_end=1 ;;
        --overwrite) overwrite=(--overwrite) ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        -*) echo "$me: unknown option $a" >&2; usage ;;
        *) args+=("$a") ;;
    esac
done
[ ${#args[@]} -eq 3 ] || usage
pipeline=${args[0]}
parts=${args[1]}
shards=${args[2]}
[[ "$parts" =~ ^[1-9][0-9]*$ ]] || die "<parts> must be a whole number from 1, got '$parts'"
[[ "$shards" =~ ^[0-9]+$ ]] || die "<shards> must be a whole number from 0, got '$shards'"
[ -f "$pipeline" ] || die "no pipeline file '$pipeline'"
# Absolute, so that the jobs find it whatever folder they start in.
pipeline="$(cd "$(dir_of "$pipeline")" && pwd)/${pipeline##*/}"

# The same run as plain commands, for a machine without Slurm; the binary and the pipeline quoted for the
# shell (printf %q), so that paths with spaces paste as they are.
by_hand() {
    local s p o=${overwrite[*]:+ --overwrite}
    s=$(printf '%q' "${SOCMAP:-socmap}")
    p=$(printf '%q' "$pipeline")
    echo "  for i in \$(seq 1 $parts); do $s run $p --part \$i/$parts$o; done   # parts: any order, at once or one by one"
    if [ "$shards" -gt 0 ]; then
        echo "  $s run $p --merge --no-maps$o"
        echo "  for i in \$(seq 1 $shards); do $s predict $p --shard \$i/$shards; done"
        echo "  $s predict $p --merge"
    else
        echo "  $s run $p --merge$o"
    fi
    echo "or the whole run in one process: $s run $p$o"
}

for tool in sbatch squeue scancel; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        {
            echo "$me: error: $tool not found: this script submits to a Slurm cluster; install slurm-wlm (and point SLURM_CONF at the cluster's slurm.conf) or run the steps by hand:"
            by_hand
        } >&2
        exit 1
    fi
done

if [ -n "${SOCMAP:-}" ]; then
    if [ ! -x "$SOCMAP" ] || [ -d "$SOCMAP" ]; then die "socmap not found: SOCMAP=$SOCMAP is not an executable file; set SOCMAP to the socmap binary's full path"; fi
    socmap=$SOCMAP
else
    socmap=$(command -v socmap || true)
    [ -n "$socmap" ] || die "socmap not found on PATH: set SOCMAP to the socmap binary's full path (e.g. SOCMAP=\$PWD/.build/release/socmap $me ...)"
fi
# Absolute, and exported: the jobs run with this environment (--export=ALL) and read SOCMAP.
SOCMAP="$(cd "$(dir_of "$socmap")" && pwd)/${socmap##*/}"
export SOCMAP

logs=${SOCMAP_SLURM_LOGS:-$PWD/slurm-logs}
mkdir -p "$logs"
logs=$(cd "$logs" && pwd)

# --kill-on-invalid-dep: a job whose predecessor failed is cancelled rather than left pending forever
# (DependencyNeverSatisfied), so the chain always ends. --export=ALL: the jobs get SOCMAP even where
# the site sets SBATCH_EXPORT=NONE.
common=(--parsable --export=ALL --kill-on-invalid-dep=yes)
submitted=()

# Submits one job and prints its id; on failure cancels the jobs already submitted (listed in
# `submitted` by the caller: this runs in a subshell), since they would run without the steps after them.
submit() { # label, then sbatch arguments
    local label=$1 out id
    shift
    if ! out=$(sbatch "${common[@]}" "$@" 2>&1); then
        say "sbatch failed for the $label job: $out"
        if [ ${#submitted[@]} -gt 0 ]; then
            say "cancelling the jobs already submitted: ${submitted[*]}"
            scancel "${submitted[@]}" || true
        fi
        exit 1
    fi
    id=${out%%;*}   # --parsable prints "id" or "id;cluster"
    id=$(tail -n 1 <<<"$id")
    [[ "$id" =~ ^[0-9]+$ ]] || { say "sbatch gave no job id for the $label job: $out"; [ ${#submitted[@]} -eq 0 ] || scancel "${submitted[@]}" || true; exit 1; }
    echo "$id"
}

# Word-split on purpose: each variable holds sbatch options as a shell would split them.
read -r -a opts <<<"${SOCMAP_SLURM_OPTS:-}"
read -r -a train_opts <<<"${SOCMAP_SLURM_TRAIN_OPTS:-}"
read -r -a merge_opts <<<"${SOCMAP_SLURM_MERGE_OPTS:-}"
read -r -a predict_opts <<<"${SOCMAP_SLURM_PREDICT_OPTS:-}"
read -r -a maps_opts <<<"${SOCMAP_SLURM_MAPS_OPTS:-}"

train=$(submit train --array="1-$parts" --output="$logs/train-%A_%a.out" \
    "${opts[@]}" "${train_opts[@]}" "$here/train-part.sbatch" "$pipeline" "$parts" "${overwrite[@]}")
submitted=("$train")
no_maps=()
[ "$shards" -eq 0 ] || no_maps=(--no-maps)
merge=$(submit merge-run --dependency="afterok:$train" --output="$logs/merge-run-%j.out" \
    "${opts[@]}" "${merge_opts[@]}" "$here/merge-run.sbatch" "$pipeline" "${no_maps[@]}" "${overwrite[@]}")
submitted+=("$merge")
predict="" maps=""
if [ "$shards" -gt 0 ]; then
    predict=$(submit predict --dependency="afterok:$merge" --array="1-$shards" --output="$logs/predict-%A_%a.out" \
        "${opts[@]}" "${predict_opts[@]}" "$here/predict-shard.sbatch" "$pipeline" "$shards")
    submitted+=("$predict")
    maps=$(submit merge-maps --dependency="afterok:$predict" --output="$logs/merge-maps-%j.out" \
        "${opts[@]}" "${maps_opts[@]}" "$here/merge-maps.sbatch" "$pipeline")
    submitted+=("$maps")
fi
jobs=("$train" "$merge" ${predict:+"$predict"} ${maps:+"$maps"})

echo "train      job $train (array 1-$parts)"
echo "merge-run  job $merge (after $train)"
if [ -n "$predict" ]; then
    echo "predict    job $predict (array 1-$shards, after $merge)"
    echo "merge-maps job $maps (after $predict)"
fi
echo "logs: $logs"
echo "jobs: ${jobs[*]}"
[ -n "$wait_for_end" ] || { echo "follow with: squeue -j $(IFS=,; echo "${jobs[*]}"); cancel with: scancel ${jobs[*]}"; exit 0; }

# --wait ------------------------------------------------------------------------------------------
# Waits until none of the jobs is in the queue, then judges every task: by sacct where the cluster
# keeps accounting, else by the exit code each job writes as the last line of its output file
# ("socmap-slurm-exit: N"). A task with neither never ran (a job before it failed) or was killed.

poll=${SOCMAP_SLURM_POLL:-10}
limit=${SOCMAP_SLURM_WAIT_TIMEOUT:-}
user=$(id -un)
started=$(date +%s)
squeue_failing_since=""
say "waiting for jobs ${jobs[*]} (every ${poll}s)"
while :; do
    if queue=$(squeue -h -u "$user" -o "%F %T %r" 2>&1); then
        squeue_failing_since=""
        # %F: the array's job id for array tasks, the job id otherwise.
        ours=$(awk -v ids=" ${jobs[*]} " 'index(ids, " " $1 " ")' <<<"$queue")
        [ -n "$ours" ] || break
        # A cluster that ignores --kill-on-invalid-dep keeps such jobs pending forever: end them.
        stuck=$(awk '$3 == "DependencyNeverSatisfied" { print $1 }' <<<"$ours" | sort -u | tr '\n' ' ')
        if [ -n "${stuck// /}" ]; then
            say "cancelling jobs whose predecessor failed: $stuck"
            # shellcheck disable=SC2086  # one id a word
            scancel $stuck || true
        fi
    else
        # The controller may be briefly unreachable (restart, failover): give it 5 minutes.
        [ -n "$squeue_failing_since" ] || squeue_failing_since=$(date +%s)
        if [ $(($(date +%s) - squeue_failing_since)) -ge 300 ]; then
            die "squeue has failed for 5 minutes ($queue); the jobs ${jobs[*]} may still run: check with squeue"
        fi
    fi
    if [ -n "$limit" ] && [ $(($(date +%s) - started)) -ge "$limit" ]; then
        say "gave up waiting after $limit s (SOCMAP_SLURM_WAIT_TIMEOUT); still queued:"
        echo "$ours" >&2
        say "the jobs go on; cancel them with: scancel ${jobs[*]}"
        exit 124
    fi
    sleep "$poll"
done

# Accounting, where there is any: "JobID|State|ExitCode" lines, array tasks as <id>_<task>.
accounting=""
if accounting=$(sacct -n -X -P -j "$(IFS=,; echo "${jobs[*]}")" -o JobID,State,ExitCode 2>/dev/null); then
    have_sacct=1
else
    have_sacct=""
    accounting=""
fi

failed=0
total=0
# Judges one task and prints one line; counts failures.
judge() { # label, Slurm id (123 or 123_4), output file
    local label=$1 id=$2 log=$3 line state code rc slurm_says
    total=$((total + 1))
    line=""
    [ -z "$have_sacct" ] || line=$(awk -F'|' -v id="$id" '$1 == id' <<<"$accounting" | tail -n 1)
    state=$(cut -d'|' -f2 <<<"$line" | cut -d' ' -f1)
    code=$(cut -d'|' -f3 <<<"$line")
    case "$state" in
        COMPLETED)
            if [ "$code" = "0:0" ]; then echo "  ok      $label (job $id)"; return 0; fi ;;
        "" | PENDING | RUNNING | COMPLETING | REQUEUED | RESIZING | SUSPENDED) state="" ;;  # no verdict yet: the log decides
    esac
    if [ -n "$state" ]; then
        echo "  FAILED  $label (job $id): $state, exit code $code; log: $log"
    else
        rc=""
        [ ! -f "$log" ] || rc=$(sed -n 's/^socmap-slurm-exit: \([0-9]*\)$/\1/p' "$log" | tail -n 1)
        if [ "$rc" = 0 ]; then echo "  ok      $label (job $id)"; return 0; fi
        # What the controller still remembers of the job (for MinJobAge, 5 minutes by default).
        slurm_says=$(scontrol -o show job "$id" 2>/dev/null | sed -n 's/.*JobState=\([^ ]*\).* Reason=\([^ ]*\).*/; Slurm: \1, \2/p' | head -n 1 || true)
        if [ ! -f "$log" ]; then
            echo "  FAILED  $label (job $id): never ran (a job before it failed, or it was cancelled; or $logs is not shared with this machine)$slurm_says"
            return 1   # no log to show
        elif [ -z "$rc" ]; then
            echo "  FAILED  $label (job $id): ended without an exit code (killed: time limit, memory, node failure or scancel)$slurm_says; log: $log"
        else
            echo "  FAILED  $label (job $id): exit code $rc$slurm_says; log: $log"
        fi
    fi
    [ ! -f "$log" ] || tail -n 5 "$log" | grep -v '^socmap-slurm-exit:' | sed 's/^/          | /'
    return 1
}

echo "results:"
for i in $(seq 1 "$parts"); do
    judge "train part $i/$parts" "${train}_$i" "$logs/train-${train}_$i.out" || failed=$((failed + 1))
done
judge "merge-run" "$merge" "$logs/merge-run-$merge.out" || failed=$((failed + 1))
if [ -n "$predict" ]; then
    for i in $(seq 1 "$shards"); do
        judge "predict shard $i/$shards" "${predict}_$i" "$logs/predict-${predict}_$i.out" || failed=$((failed + 1))
    done
    judge "merge-maps" "$maps" "$logs/merge-maps-$maps.out" || failed=$((failed + 1))
fi
judged_by="the exit codes in the logs (no accounting: sacct does not answer)"
[ -z "$have_sacct" ] || judged_by=sacct
if [ "$failed" -gt 0 ]; then
    say "$failed of $total tasks failed (judged by $judged_by, after $(($(date +%s) - started)) s)"
    exit 1
fi
say "all $total tasks succeeded (judged by $judged_by, after $(($(date +%s) - started)) s of waiting)"
