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

# Tools the tests check generated output with. Installed when missing; a
# test that needs one and cannot find it skips with a loud message, so a
# failed install shows up here, not as a silent pass.
if ! need aws; then
	echo "== installing awscli (generated CLI scripts are validated by the real AWS CLI)"
	if [[ $(id -u) -eq 0 ]] && need apt-get; then
		apt-get update -qq && apt-get install -y -qq awscli >/dev/null
	else
		echo "scripts/test.sh: WARNING: cannot install awscli (not root or no apt-get)" >&2
	fi
fi
CFNSPEC_PREFIX="${HOME}/.cache/execrole-npm"
if [[ ! -f "$CFNSPEC_PREFIX/node_modules/@aws-cdk/cfnspec/spec/specification.json" ]]; then
	echo "== installing @aws-cdk/cfnspec (generated CloudFormation is validated against the resource specification)"
	if need npm; then
		npm install --silent --no-audit --no-fund --prefix "$CFNSPEC_PREFIX" @aws-cdk/cfnspec@2.72.1 >/dev/null
	else
		echo "scripts/test.sh: WARNING: npm missing; CloudFormation validation will be skipped" >&2
	fi
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
