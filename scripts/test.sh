#!/usr/bin/env bash
# Runs every test execrole has, installing what the tests need first.
# Usage: scripts/test.sh            (from anywhere; a fresh machine needs only Go and, for apt installs, root)
# Set EXECROLE_REQUIRE_ORACLE=1 to fail, instead of skip, when ../shared (the
# peer decision corpus and the real-world corpus) is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need() { command -v "$1" >/dev/null 2>&1; }

if ! need go; then
	echo "scripts/test.sh: Go is not installed; install Go 1.26 or later (https://go.dev/dl/)" >&2
	exit 1
fi

# The shared research data sits beside the repository on developer machines
# and in CI; tests read it from there and never copy it in.
if [[ -z "${EXECROLE_SHARED:-}" && -d ../shared ]]; then
	EXECROLE_SHARED="$(cd ../shared && pwd)"
fi
export EXECROLE_SHARED="${EXECROLE_SHARED:-}"
if [[ -z "$EXECROLE_SHARED" ]]; then
	echo "scripts/test.sh: WARNING: ../shared not found; corpus and oracle tests will be skipped" >&2
fi

echo "== go mod download"
go mod download

echo "== gofmt"
unformatted="$(gofmt -l cmd internal)"
if [[ -n "$unformatted" ]]; then
	echo "gofmt needed on:" >&2
	echo "$unformatted" >&2
	exit 1
fi

echo "== go vet"
go vet ./...

echo "== go test"
go test -count=1 ./...
