#!/usr/bin/env bash
# A real one-node Slurm cluster on this machine, for trying slurm/submit.sh and for the tests.
#
#   slurm/test-cluster.sh start <dir>   starts munged, slurmctld and slurmd; returns once the node is idle
#   slurm/test-cluster.sh stop <dir>    cancels the cluster's jobs and stops exactly the daemons `start` started
#   slurm/test-cluster.sh status <dir>  prints sinfo and squeue of that cluster
#
# Everything lives in <dir>: slurm.conf, state, spool, logs and the daemons' pids; munged's socket is
# in /tmp/socmap-munge.* (linked as <dir>/munge, removed by stop), since munged needs a path that
# every user can search.
# Nothing of a system Slurm or munge setup is changed: the daemons read <dir>/etc/slurm.conf (-f and
# SLURM_CONF), listen on ports of their own and talk through a munge socket of their own, so a system
# cluster on the same machine is left alone. The one system file used is the munge key
# /etc/munge/munge.key, created with mungekey when it is missing (as the munge package does).
#
# To use the cluster from a shell:  . <dir>/env   (sets SLURM_CONF), then sbatch, squeue, sinfo.
#
# Needs root (slurmd runs jobs as their user, munged runs as the user munge) and Debian's packages:
#   apt-get install -y slurm-wlm munge       (Slurm 22.05 on Debian 12)
# Environment:
#   SOCMAP_TEST_SLURM_TIMEOUT  seconds to wait for the node to become idle (default 60)
#   SOCMAP_TEST_SLURM_PORT     first of the two TCP ports (slurmctld, slurmd) to try (default 16817)
set -euo pipefail

die() { echo "test-cluster.sh: error: $*" >&2; exit 1; }
say() { echo "test-cluster.sh: $*" >&2; }

usage() {
    echo "usage: $0 start <dir> | stop <dir> | status <dir>" >&2
    exit 2
}

[ $# -eq 2 ] || usage
action=$1
dir=$2
node=socmapnode   # the node's name in slurm.conf; slurmd is started with -N so it need not be the host name

# A pid recorded in <dir>/pids still names the daemon we started (and not a later process that reused
# the number): its command line holds the daemon's name and, for the recorded daemons, <dir> (their
# -f slurm.conf or munge socket). A zombie has an empty command line and counts as gone.
is_ours() { # name pid [text the command line must also hold]
    local cmd
    cmd=$({ tr '\0' ' ' <"/proc/$2/cmdline"; } 2>/dev/null) || return 1
    case "$cmd" in *"$1"*) ;; *) return 1 ;; esac
    case "$cmd" in *"${3:-}"*) return 0 ;; *) return 1 ;; esac
}

# The text a recorded daemon's command line holds: munged names its socket folder, the Slurm
# daemons their slurm.conf in <dir>.
needle_for() { # name
    if [ "$1" = munged ]; then readlink "$dir/munge" 2>/dev/null || echo "$dir"; else echo "$dir"; fi
}

# munged's folder under /tmp (see start_cluster), its log first copied into <dir>/log.
remove_munge_dir() {
    local munge_dir
    munge_dir=$(readlink "$dir/munge" 2>/dev/null || true)
    case "$munge_dir" in
        /tmp/socmap-munge.*)
            cp "$munge_dir/munged.log" "$dir/log/munged.log" 2>/dev/null || true
            rm -rf "$munge_dir" "$dir/munge" ;;
    esac
}

# Slurm processes of this cluster other than the recorded daemons: slurmstepd (a job's step daemon,
# which outlives slurmd by design) and slurmscriptd (slurmctld's helper). Our daemons ran with our
# SLURM_CONF in their environment and passed it on, which tells them from a system cluster's.
our_helpers() {
    local p comm
    for p in /proc/[0-9]*; do
        comm=$(cat "$p/comm" 2>/dev/null) || continue
        case "$comm" in slurm*) ;; *) continue ;; esac
        if { tr '\0' '\n' <"$p/environ"; } 2>/dev/null | grep -qxF "SLURM_CONF=$conf"; then echo "${p#/proc/} $comm"; fi
    done
}

# Sends TERM to a pid, then KILL after 10 s; returns once it is gone.
end_process() { # name pid [text of its command line]
    local name=$1 pid=$2 needle=${3:-}
    is_ours "$name" "$pid" "$needle" || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
        is_ours "$name" "$pid" "$needle" || return 0
        sleep 0.1
    done
    say "$name ($pid) did not stop on TERM within 10 s; sending KILL"
    kill -KILL "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
        is_ours "$name" "$pid" "$needle" || return 0
        sleep 0.1
    done
    die "$name ($pid) is still running after KILL"
}

stop_cluster() {
    if [ ! -f "$dir/pids" ]; then
        remove_munge_dir
        say "no daemons recorded in $dir/pids: nothing to stop"
        return 0
    fi
    # Jobs first, while slurmctld still answers, so no job goes on running without its daemons.
    if [ -f "$conf" ] && grep -q '^slurmctld ' "$dir/pids"; then
        local jobs
        jobs=$(SLURM_CONF=$conf timeout 10 squeue -h -o %A 2>/dev/null | sort -u | tr '\n' ' ' || true)
        if [ -n "${jobs// /}" ]; then
            say "cancelling jobs: $jobs"
            # shellcheck disable=SC2086  # one job id a word
            SLURM_CONF=$conf timeout 10 scancel $jobs 2>/dev/null || true
            for _ in $(seq 1 50); do
                [ -z "$(SLURM_CONF=$conf timeout 5 squeue -h -o %A 2>/dev/null || true)" ] && break
                sleep 0.2
            done
        fi
    fi
    # Then the daemons, in the reverse order of starting.
    local name pid
    for name in slurmd slurmctld munged; do
        pid=$(awk -v n="$name" '$1 == n { print $2 }' "$dir/pids")
        if [ -n "$pid" ]; then end_process "$name" "$pid" "$(needle_for "$name")"; fi
    done
    while read -r pid name; do
        if [ -n "$pid" ]; then end_process "$name" "$pid"; fi
    done <<<"$(our_helpers)"
    # Nothing of ours may be left.
    local left=""
    while read -r name pid; do
        if is_ours "$name" "$pid" "$(needle_for "$name")"; then left="$left $name($pid)"; fi
    done <"$dir/pids"
    while read -r pid name; do
        if [ -n "$pid" ]; then left="$left $name($pid)"; fi
    done <<<"$(our_helpers)"
    [ -z "$left" ] || die "still running after stop:$left"
    remove_munge_dir
    rm -f "$dir/pids"
    say "stopped the cluster in $dir"
}

# The first pair of free TCP ports from $1: a port is taken when something listens on it.
free_port_pair() {
    local port=$1 listening
    listening=$(ss -Htln 2>/dev/null | awk '{ n = split($4, a, ":"); print a[n] }' | sort -u)
    while [ "$port" -lt 65000 ]; do
        if ! grep -qx "$port" <<<"$listening" && ! grep -qx "$((port + 1))" <<<"$listening"; then
            echo "$port"
            return 0
        fi
        port=$((port + 2))
    done
    die "no two free TCP ports from $1 on"
}

# Closes every file descriptor this script inherited beyond stdin, stdout and stderr (bash's own 255
# is close-on-exec). The daemons would keep them open for as long as they run: a caller that reads
# this script's output through a pipe, and leaked that pipe's other end into us as an extra
# descriptor (Foundation's Process does), would otherwise wait for the end of its output forever.
close_inherited_fds() {
    local fd
    for fd in "/proc/$$/fd/"*; do
        fd=${fd##*/}
        case "$fd" in 0 | 1 | 2 | 255) continue ;; esac
        eval "exec $fd>&-" 2>/dev/null || true
    done
}

start_cluster() {
    close_inherited_fds
    [ "$(id -u)" -eq 0 ] || die "must run as root: slurmd starts jobs as their users and munged runs as the user munge"
    local tool missing=""
    for tool in munged slurmctld slurmd sinfo sbatch squeue scancel ss; do
        command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
    done
    [ -z "$missing" ] || die "missing:$missing; install them with: apt-get install -y slurm-wlm munge"
    id munge >/dev/null 2>&1 || die "no user 'munge'; install the munge package: apt-get install -y munge"
    if [ -f "$dir/pids" ]; then
        while read -r name pid; do
            if is_ours "$name" "$pid" "$(needle_for "$name")"; then die "a cluster is already running in $dir ($name, pid $pid); run: $0 stop $dir"; fi
        done <"$dir/pids"
        rm -f "$dir/pids"
    fi

    local started
    started=$(date +%s)
    mkdir -p "$dir/etc" "$dir/state" "$dir/spool" "$dir/log"
    # munged runs as the user munge and insists that every folder above its socket be searchable by
    # all; <dir> may sit in a private folder (mktemp -d makes them 0700), so munged's files go to a
    # folder of their own under /tmp, linked as <dir>/munge and removed by `stop`.
    local munge_dir
    munge_dir=$(mktemp -d /tmp/socmap-munge.XXXXXX)
    chown munge:munge "$munge_dir"
    chmod 0755 "$munge_dir"
    rm -f "$dir/munge"
    ln -s "$munge_dir" "$dir/munge"
    # From here on any failure (an error or a die) stops what was started and removes that folder.
    trap 'if [ -z "${ready:-}" ]; then say "start failed; stopping what was started"; stop_cluster || true; fi' EXIT

    # The munge key: Debian's package makes one on install; on a machine without it, make it the same way.
    local key=/etc/munge/munge.key
    if [ ! -f "$key" ]; then
        say "creating the munge key $key"
        mkdir -p /etc/munge
        if command -v mungekey >/dev/null 2>&1; then
            mungekey --create --keyfile="$key"
        elif command -v create-munge-key >/dev/null 2>&1; then
            create-munge-key -f
        else
            die "no munge key at $key and neither mungekey nor create-munge-key to make one"
        fi
        chown munge:munge /etc/munge "$key"
        chmod 0700 /etc/munge
        chmod 0400 "$key"
    fi

    # Our own munged on a socket in <dir>: a system munged (if any) is neither needed nor touched.
    local socket="$munge_dir/munge.socket.2"
    runuser -u munge -- munged --socket="$socket" --key-file="$key" \
        --pid-file="$munge_dir/munged.pid" --log-file="$munge_dir/munged.log" --seed-file="$munge_dir/munged.seed" \
        || die "munged did not start; see $dir/log/munged.log"

    for _ in $(seq 1 50); do [ -s "$munge_dir/munged.pid" ] && break; sleep 0.1; done
    [ -s "$munge_dir/munged.pid" ] || die "munged wrote no pid file; see $dir/log/munged.log"
    echo "munged $(cat "$munge_dir/munged.pid")" >>"$dir/pids"

    # The node: this machine's CPUs and memory as slurmd sees them (90 % of the memory, so that the node
    # is never drained for having less than configured), else nproc and free.
    local hw cpus mem
    hw=$(slurmd -C 2>/dev/null | head -n 1 || true)
    cpus=$(sed -n 's/.* CPUs=\([0-9]*\).*/\1/p' <<<"$hw")
    mem=$(sed -n 's/.* RealMemory=\([0-9]*\).*/\1/p' <<<"$hw")
    [ -n "$cpus" ] || cpus=$(nproc)
    [ -n "$mem" ] || mem=$(free -m | awk '/^Mem:/ { print $2 }')
    mem=$((mem * 9 / 10))

    local port host
    port=$(free_port_pair "${SOCMAP_TEST_SLURM_PORT:-16817}")
    host=$(hostname -s)
    : >"$dir/etc/plugstack.conf"   # no SPANK plugins: the system's plugstack.conf is not read
    cat >"$conf" <<EOF
# A one-node test cluster made by slurm/test-cluster.sh; everything below $dir.
ClusterName=socmaptest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
PlugStackConfig=$dir/etc/plugstack.conf
# No cgroups (containers often lack a writable cgroup tree): processes are tracked through /proc.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
# CPUs are the consumable resource, so two 1-CPU array tasks run at once on a 2-CPU node.
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
# No accounting database: sacct does not work here, which slurm/submit.sh --wait copes with.
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
# Finished jobs stay visible to scontrol for 10 minutes.
MinJobAge=600
SlurmdTimeout=60
NodeName=$node NodeHostname=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
    export SLURM_CONF="$conf"
    echo "export SLURM_CONF=$conf" >"$dir/env"

    # -c: a cold start, no state from an earlier cluster in this folder.
    slurmctld -c -f "$conf" || die "slurmctld did not start; see $dir/log/slurmctld.log"
    for _ in $(seq 1 50); do [ -s "$dir/slurmctld.pid" ] && break; sleep 0.1; done
    [ -s "$dir/slurmctld.pid" ] || die "slurmctld wrote no pid file; see $dir/log/slurmctld.log"
    echo "slurmctld $(cat "$dir/slurmctld.pid")" >>"$dir/pids"

    slurmd -f "$conf" -N "$node" || die "slurmd did not start; see $dir/log/slurmd.log"
    for _ in $(seq 1 50); do [ -s "$dir/slurmd.pid" ] && break; sleep 0.1; done
    [ -s "$dir/slurmd.pid" ] || die "slurmd wrote no pid file; see $dir/log/slurmd.log"
    echo "slurmd $(cat "$dir/slurmd.pid")" >>"$dir/pids"

    # Ready when the node is idle: jobs submitted before that would only wait.
    local timeout=${SOCMAP_TEST_SLURM_TIMEOUT:-60} state=""
    while :; do
        state=$(sinfo -h -n "$node" -o %T 2>/dev/null || true)
        [ "$state" = idle ] && break
        if [ $(($(date +%s) - started)) -ge "$timeout" ]; then
            say "the node is not idle after $timeout s (state: '${state:-no answer from slurmctld}'); last log lines:"
            tail -n 5 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" "$dir/munge/munged.log" >&2 2>/dev/null || true
            die "the cluster in $dir did not come up"   # the EXIT trap stops the daemons
        fi
        sleep 0.5
    done
    ready=1
    say "cluster up in $(($(date +%s) - started)) s: node $node idle with $cpus CPUs; use it with: . $dir/env"
}

case "$action" in
    start | stop | status) ;;
    *) usage ;;
esac
if [ "$action" = start ]; then mkdir -p "$dir"; fi
[ -d "$dir" ] || die "no folder $dir"
dir=$(cd "$dir" && pwd)
conf="$dir/etc/slurm.conf"
case "$action" in
    start) start_cluster ;;
    stop) stop_cluster ;;
    status)
        [ -f "$conf" ] || die "no cluster in $dir"
        SLURM_CONF=$conf sinfo
        SLURM_CONF=$conf squeue
        ;;
esac
