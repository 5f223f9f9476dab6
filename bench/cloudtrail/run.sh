#!/usr/bin/env bash
# Benchmarks CloudTrail aggregation against zcat and jq on the same files.
#
#   bench/cloudtrail/run.sh [DAYS] [TASKS_PER_DAY]
#
# Generates a synthetic trail (internal/cloudtrail/synth; 2 accounts x 2
# regions x DAYS days, S3 layout, gzip, digest files, duplicates, noise),
# then times, best of 3:
#   zcat FILES > /dev/null                      (one core)
#   zcat FILES | jq -n 'reduce ...'             (the same grouping in jq)
#   ctscan (cloudtrail.Scan), 1 core (taskset -c 0, GOMAXPROCS=1) and 2 cores
# and prints throughput ratios. Peak RSS is compared for one day of input
# versus all DAYS days (tenfold with the default DAYS=10).
#
# Needs: go, zcat (gzip), jq, taskset (util-linux), /usr/bin/time.
# jq is not installed by default on every image: install it with
#   apt-get install -y jq
set -euo pipefail

DAYS=${1:-10}
TASKS=${2:-150}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ctbench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

for tool in go zcat taskset /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 2; }
done
if ! command -v jq >/dev/null; then
  echo "jq is missing: install it with 'apt-get install -y jq'" >&2
  exit 2
fi

cd "$ROOT"
go build -o "$WORK/ctsynth" ./internal/cloudtrail/synth/cmd/ctsynth
go build -o "$WORK/ctscan" ./bench/cloudtrail/ctscan
echo "== generating: $("$WORK/ctsynth" -out "$WORK/trail" -days "$DAYS" -tasks "$TASKS")"

# Log files only (digest files are skipped by every contender alike).
find "$WORK/trail" -path '*/CloudTrail/*' -name '*.json.gz' -print0 | sort -z > "$WORK/files"
NFILES=$(tr -cd '\0' < "$WORK/files" | wc -c)
JSON_BYTES=$(xargs -0 cat < "$WORK/files" | zcat | wc -c)
echo "== $NFILES files, $JSON_BYTES bytes of JSON, $(du -sb "$WORK/trail" | cut -f1) bytes on disk"

# best TIME_CMD...: prints the best wall time in seconds of 3 runs.
best() {
  local b=""
  for _ in 1 2 3; do
    local s e
    s=$(date +%s.%N)
    "$@" > /dev/null
    e=$(date +%s.%N)
    b=$(echo "$s $e ${b:-999999}" | awk '{d=$2-$1; print (d<$3)?d:$3}')
  done
  echo "$b"
}

run_zcat() { xargs -0 taskset -c 0 zcat < "$WORK/files"; }
# jq computes the same grouping: role (session issuer) x eventSource x
# eventName x errorCode, counting calls, for assumed-role sessions.
JQ_PROG='reduce (inputs | .Records[]? | select(.userIdentity.type == "AssumedRole")
  | [.userIdentity.sessionContext.sessionIssuer.arn, .eventSource, .eventName, (.errorCode // "")] | tostring) as $k
  ({}; .[$k] += 1) | length'
run_jq() { xargs -0 zcat < "$WORK/files" | taskset -c 0 jq -n "$JQ_PROG"; }
run_go1() { GOMAXPROCS=1 taskset -c 0 "$WORK/ctscan" -workers 1 "$WORK/trail"; }
run_go2() { GOMAXPROCS=2 taskset -c 0,1 "$WORK/ctscan" -workers 2 "$WORK/trail"; }

echo "== ctscan output: $(run_go2)"
echo "== jq groups: $(run_jq)"
T_ZCAT=$(best run_zcat)
T_JQ=$(best run_jq)
T_GO1=$(best run_go1)
T_GO2=$(best run_go2)

awk -v b="$JSON_BYTES" -v z="$T_ZCAT" -v j="$T_JQ" -v g1="$T_GO1" -v g2="$T_GO2" 'BEGIN {
  printf "%-28s %8.3f s %8.1f MB/s\n", "zcat > /dev/null (1 core)", z, b/z/1e6
  printf "%-28s %8.3f s %8.1f MB/s\n", "zcat | jq aggregation", j, b/j/1e6
  printf "%-28s %8.3f s %8.1f MB/s\n", "ctscan 1 core", g1, b/g1/1e6
  printf "%-28s %8.3f s %8.1f MB/s\n", "ctscan 2 cores", g2, b/g2/1e6
  printf "ratios: 1 core = %.2fx zcat (target >= 1.2), 2 cores = %.2fx zcat (target >= 2), 1 core = %.1fx jq (target >= 5)\n", z/g1, z/g2, j/g1
}'

# Peak memory: one day versus all days.
ONE_DAY=$(find "$WORK/trail" -path '*/CloudTrail/*' -type d -name 01 -path '*/2025/03/01')
RSS1=$( { GOMAXPROCS=2 /usr/bin/time -f '%M' "$WORK/ctscan" $ONE_DAY > /dev/null; } 2>&1 | tail -1)
RSSN=$( { GOMAXPROCS=2 /usr/bin/time -f '%M' "$WORK/ctscan" "$WORK/trail" > /dev/null; } 2>&1 | tail -1)
echo "peak RSS: 1 day ${RSS1} KiB, ${DAYS} days ${RSSN} KiB"
