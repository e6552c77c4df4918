#!/usr/bin/env bash
# Runs the libFuzzer targets built by `make fuzz-build`, one after the other (see Fuzz/README.md).
# Usage: Fuzz/fuzz.sh SECONDS TARGET...   (from the package root)
# Each target fuzzes a scratch corpus under .build/fuzz-runs/<target>/corpus, topped up with a
# copy of the committed seeds in Fuzz/corpus/<target>/ (never written to). Crashing, leaking,
# hanging or out-of-memory inputs are saved as .build/fuzz-runs/<target>/{crash,leak,timeout,oom}-*;
# the script prints their paths and exits 1 if any target failed.
set -u
seconds=$1; shift
bin=.build/fuzz/release
failed=0
# The targets write each input to a file under TMPDIR: a RAM disk when there is one (several
# times more executions per second than on disk), removed at exit.
if [ -d /dev/shm ] && [ -w /dev/shm ]; then scratch=$(mktemp -d /dev/shm/socmap-fuzz.XXXXXX); else scratch=$(mktemp -d); fi
trap 'rm -rf "$scratch"' EXIT
for target in "$@"; do
    run=.build/fuzz-runs/$target
    mkdir -p "$run/corpus"
    rm -f "$run"/crash-* "$run"/leak-* "$run"/timeout-* "$run"/oom-* "$run"/slow-unit-*
    cp Fuzz/corpus/"$target"/* "$run/corpus/"
    dict=; [ -f "Fuzz/$target.dict" ] && dict="-dict=Fuzz/$target.dict"
    echo "== $target: $seconds s on $run/corpus (log: $run/fuzz.log)"
    # SWIFT_BACKTRACE: let libFuzzer catch traps (its report has the stack), and leave no
    # swift-backtrace process behind.
    TMPDIR="$scratch" \
    ASAN_OPTIONS="detect_leaks=1" SWIFT_BACKTRACE="enable=no" \
    LSAN_OPTIONS="suppressions=$PWD/Fuzz/lsan.supp:print_suppressions=0" \
    "$bin/$target" "$run/corpus" $dict \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -detect_leaks=1 \
        -artifact_prefix="$run/" -print_final_stats=1 >"$run/fuzz.log" 2>&1
    status=$?
    grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)' "$run/fuzz.log" | sed 's/^/   /'
    grep -E '^#[0-9]+[[:space:]]+DONE' "$run/fuzz.log" | tail -1 | sed 's/^/   /'
    artifacts=$(ls "$run"/crash-* "$run"/leak-* "$run"/timeout-* "$run"/oom-* 2>/dev/null)
    if [ $status -ne 0 ] || [ -n "$artifacts" ]; then
        failed=1
        echo "!! $target failed (exit $status); the report:"
        grep -E -A25 '^==[0-9]+== ?ERROR|Fatal error|Program crashed|^ALARM|out-of-memory|^SUMMARY' "$run/fuzz.log" | head -60 | sed 's/^/   /'
        for a in $artifacts; do
            echo "!! failing input: $a"
            echo "   reproduce: $bin/$target $a"
        done
    fi
done
exit $failed
