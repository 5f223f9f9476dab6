package render_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/execrole/execrole/internal/render"
)

// awsShim stands in for `aws` on PATH while a generated script runs. It calls
// the real AWS CLI with fake credentials and --endpoint-url pointing at a
// closed port on 127.0.0.1, so the CLI parses and validates every parameter
// against the service model (required members, types, JSON shorthand) and
// then fails to connect; nothing leaves the machine. "Could not connect"
// therefore means "parameters accepted"; any other failure is reported and
// stops the script (set -e).
const awsShim = `#!/usr/bin/env bash
out=$("$EXECROLE_REAL_AWS" "$@" --endpoint-url http://127.0.0.1:9 2>&1)
if grep -q 'Could not connect to the endpoint URL' <<<"$out"; then
	printf '%s %s\n' "$1" "$2" >>"$EXECROLE_AWS_LOG"
	exit 0
fi
printf 'aws %s %s rejected:\n%s\n' "$1" "$2" "$out" >&2
exit 1
`

// runWithAWS runs a script with the shim and returns the commands accepted.
func runWithAWS(t *testing.T, script []byte) (accepted []string, err error) {
	t.Helper()
	real := os.Getenv("EXECROLE_AWS") // a specific aws binary, e.g. /usr/bin/aws
	if real == "" {
		var lookErr error
		if real, lookErr = exec.LookPath("aws"); lookErr != nil {
			t.Skip("SKIPPING AWS CLI validation: no `aws` on PATH (or EXECROLE_AWS). Install it with: apt-get install -y awscli")
		}
	}
	dir := t.TempDir()
	// The shim is a shell function that bash reads through BASH_ENV, not
	// an executable on PATH: executing a file written a moment ago fails
	// with ETXTBSY ("text file busy") when a parallel test forks while
	// the file is still open for writing (golang/go#22315).
	shim := filepath.Join(dir, "aws-shim.sh")
	if err := os.WriteFile(shim, []byte(awsShim), 0o644); err != nil {
		t.Fatal(err)
	}
	bashEnv := filepath.Join(dir, "bash-env.sh")
	if err := os.WriteFile(bashEnv, []byte("aws() { bash '"+shim+"' \"$@\"; }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	scriptPath := filepath.Join(dir, "script.sh")
	if err := os.WriteFile(scriptPath, script, 0o755); err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(dir, "accepted")
	cmd := exec.Command("bash", scriptPath)
	// The user's AWS_* settings (profile, endpoint, credentials) must not
	// leak in: they could point the CLI somewhere real.
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "BASH_ENV=") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env,
		"BASH_ENV="+bashEnv,
		"EXECROLE_REAL_AWS="+real,
		"EXECROLE_AWS_LOG="+log,
		"ACCOUNT_ID=123456789012",
		"AWS_ACCESS_KEY_ID=AKIAEXECROLETEST0000",
		"AWS_SECRET_ACCESS_KEY=execrole-test-not-a-secret",
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE="+os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE="+os.DevNull,
		"AWS_MAX_ATTEMPTS=1",
		"AWS_RETRY_MODE=standard",
		"AWS_PAGER=",
	)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, &scriptError{err: err, stderr: stderr.String()}
	}
	b, _ := os.ReadFile(log)
	return strings.Split(strings.TrimSpace(string(b)), "\n"), nil
}

type scriptError struct {
	err    error
	stderr string
}

func (e *scriptError) Error() string { return e.err.Error() + ": " + e.stderr }

// awsCommands lists the "service operation" of every aws command the script
// runs at top level, to compare with what the shim accepted.
func awsCommands(script []byte) []string {
	var out []string
	for _, line := range strings.Split(string(script), "\n") {
		if f := strings.Fields(line); len(f) >= 3 && f[0] == "aws" {
			out = append(out, f[1]+" "+f[2])
		}
	}
	return out
}

// TestCLIAcceptedByAWSCLI runs every generated script through the real AWS
// CLI's parameter validation.
func TestCLIAcceptedByAWSCLI(t *testing.T) {
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			t.Parallel()
			script, err := render.CLI(fx.r)
			if err != nil {
				t.Fatal(err)
			}
			got, err := runWithAWS(t, script)
			if err != nil {
				t.Fatalf("script failed: %v\n%s", err, script)
			}
			want := awsCommands(script)
			if len(want) == 0 || strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("AWS CLI accepted %q, want every command %q", got, want)
			}
		})
	}
}

// TestCLIValidationCanFail proves the harness rejects what the AWS CLI
// rejects: a missing required parameter and malformed --tags JSON.
func TestCLIValidationCanFail(t *testing.T) {
	for _, script := range []string{
		"set -euo pipefail\naws iam create-role --role-name x\n",
		"set -euo pipefail\naws iam tag-role --role-name x --tags '[{\"Key\":\"a\"}]'\n",
	} {
		if _, err := runWithAWS(t, []byte(script)); err == nil {
			t.Errorf("script %q passed validation, want a rejection", script)
		}
	}
}

// TestCLIBashSyntax checks every script with bash -n, which needs no AWS CLI.
func TestCLIBashSyntax(t *testing.T) {
	for _, fx := range fixtures {
		script, err := render.CLI(fx.r)
		if err != nil {
			t.Fatal(err)
		}
		bashSyntax(t, script)
	}
}

func bashSyntax(t testing.TB, script []byte) {
	t.Helper()
	cmd := exec.Command("bash", "-n")
	cmd.Stdin = bytes.NewReader(script)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("bash -n: %v\n%s\n%s", err, out, script)
	}
}
