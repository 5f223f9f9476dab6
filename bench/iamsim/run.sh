#!/usr/bin/env bash
# run.sh compares execrole simulate's throughput with @cloud-copilot/iam-simulate
# (issue 2 §6) on three policy sets: a one-statement Allow, the ECS task
# execution managed policy plus a scoped custom policy, and ReadOnlyAccess.
# iam-simulate is AGPL: it is installed with npm into bench/iamsim/node_modules
# and run as a separate Node process (driver.mjs); it is never linked or vendored.
#
# Usage: bench/iamsim/run.sh   (from anywhere; env overrides below)
#   EXEC_COUNTS  request counts for execrole's runs   (default "10000 100000 1000000")
#   NODE_N       request count for iam-simulate's runs (default 20000; ReadOnlyAccess uses NODE_N_RO)
#   NODE_N_RO    request count for iam-simulate on ReadOnlyAccess (default 2000)
set -euo pipefail

IAMSIM_VERSION=0.1.173
EXEC_COUNTS=${EXEC_COUNTS:-"10000 100000 1000000"}
NODE_N=${NODE_N:-20000}
NODE_N_RO=${NODE_N_RO:-2000}

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
pol="$root/internal/managed/policies"

die() { echo "run.sh: $*" >&2; exit 1; }
command -v node >/dev/null || die "node is not installed; iam-simulate needs Node.js >= 18"
command -v npm >/dev/null || die "npm is not installed"
command -v go >/dev/null || die "go is not installed"

# (1) iam-simulate, pinned, into bench/iamsim/node_modules.
have=$(node -e "try{console.log(require('$here/node_modules/@cloud-copilot/iam-simulate/package.json').version)}catch{}" 2>/dev/null || true)
if [ "$have" != "$IAMSIM_VERSION" ]; then
  echo "installing @cloud-copilot/iam-simulate@$IAMSIM_VERSION into $here/node_modules" >&2
  npm install --prefix "$here" --no-save --no-package-lock --no-audit --no-fund \
    "@cloud-copilot/iam-simulate@$IAMSIM_VERSION" >&2 || die "npm install failed"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# (4a) execrole.
(cd "$root" && go build -o "$tmp/execrole" ./cmd/execrole) || die "go build failed"

now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.6g\", $* }"; }

sets="allow-one ecs-exec readonly"
policies_for() {
  case $1 in
  allow-one) echo "$here/allow-one.json" ;;
  ecs-exec) echo "$pol/AmazonECSTaskExecutionRolePolicy.json $here/scoped-custom.json" ;;
  readonly) echo "$pol/ReadOnlyAccess.json" ;;
  esac
}

# Columns: node_req/s is iam-simulate's evaluation loop timed inside Node
# (startup, install and policy loading excluded); exec_raw is execrole's whole
# process at the largest count; exec_marg is the slope between the smallest
# and largest counts (startup removed); exec_noexpl is the largest count with
# --explain=false (decision only). Ratios are execrole over iam-simulate.
printf '%-10s %7s %10s %11s %11s %11s %9s %9s %9s %9s %s\n' set node_n node_req/s exec_raw/s exec_marg/s exec_noexpl/s startup_s ratio_raw ratio_marg ratio_noex agree
for s in $sets; do
  read -r -a P <<<"$(policies_for "$s")"
  pflags=()
  for p in "${P[@]}"; do pflags+=(--policy "$p"); done
  n=$NODE_N; [ "$s" = readonly ] && n=$NODE_N_RO

  # (2) requests.
  node "$here/gen.mjs" "$s" "$n" "$tmp/$s.node.jsonl"

  # (3) iam-simulate, in-process timing of the evaluation loop only.
  nres=$(cd "$here" && node driver.mjs "$tmp/$s.node.jsonl" "$tmp/$s.node.dec" "${P[@]}")
  nrate=$(node -e "console.log(JSON.parse(process.argv[1]).rate)" "$nres")

  # Agreement: execrole on the very same lines, decision by decision.
  # execrole's warnings on the policies (unknown actions in ReadOnlyAccess)
  # go to a file, shown only if a run fails.
  ex() { "$tmp/execrole" "$@" 2>"$tmp/stderr" || { cat "$tmp/stderr" >&2; die "execrole $* failed"; }; }
  ex simulate "${pflags[@]}" --requests "$tmp/$s.node.jsonl" --format json |
    grep -o '"decision":"[A-Za-z]*"' | cut -d'"' -f4 >"$tmp/$s.exec.dec"
  [ "$(wc -l <"$tmp/$s.exec.dec")" -eq "$n" ] || die "$s: execrole wrote $(wc -l <"$tmp/$s.exec.dec") decisions for $n requests"
  dis=$(paste -d' ' "$tmp/$s.node.dec" "$tmp/$s.exec.dec" | awk '$1 != $2' | wc -l)
  if [ "$dis" -ne 0 ]; then
    echo "DISAGREEMENTS in $s (iam-simulate execrole request):" >&2
    paste -d' ' "$tmp/$s.node.dec" "$tmp/$s.exec.dec" "$tmp/$s.node.jsonl" | awk '$1 != $2' | sort | uniq -c | head -20 >&2
  fi

  # (4b) execrole, whole process, several counts to separate startup.
  declare -A T=()
  for c in $EXEC_COUNTS; do
    node "$here/gen.mjs" "$s" "$c" "$tmp/$s.$c.jsonl"
    t0=$(now)
    ex simulate "${pflags[@]}" --requests "$tmp/$s.$c.jsonl" --format json >/dev/null
    t1=$(now)
    T[$c]=$(calc "$t1 - $t0")
    rm -f "$tmp/$s.$c.jsonl"
    echo "  $s: execrole $c requests in ${T[$c]}s" >&2
  done
  hi_c=${EXEC_COUNTS##* }
  node "$here/gen.mjs" "$s" "$hi_c" "$tmp/$s.$hi_c.jsonl"
  t0=$(now)
  ex simulate "${pflags[@]}" --requests "$tmp/$s.$hi_c.jsonl" --format json --explain=false >/dev/null
  t1=$(now)
  rm -f "$tmp/$s.$hi_c.jsonl"
  noex=$(calc "$hi_c / ($t1 - $t0)")
  read -r -a C <<<"$EXEC_COUNTS"
  lo=${C[0]}; hi=${C[${#C[@]}-1]}
  raw=$(calc "$hi / ${T[$hi]}")
  marg=$(calc "($hi - $lo) / (${T[$hi]} - ${T[$lo]})")
  startup=$(calc "${T[$lo]} - $lo / $marg")
  printf '%-10s %7s %10.0f %11.0f %11.0f %11.0f %9.4f %9.1f %9.1f %9.1f %s\n' "$s" "$n" "$nrate" "$raw" "$marg" "$noex" "$startup" \
    "$(calc "$raw / $nrate")" "$(calc "$marg / $nrate")" "$(calc "$noex / $nrate")" "$((n - dis))/$n"
  unset T
done
