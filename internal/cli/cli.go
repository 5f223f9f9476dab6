// Package cli wires execrole's commands to the packages that do the work. It
// parses flags, reads files, and maps errors to exit statuses; it holds no
// analysis of its own.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
)

// Exit statuses shared by every command.
const (
	ExitOK       = 0 // the command did its job and found nothing blocking
	ExitFindings = 1 // the task would fail, or an error-level finding exists
	ExitBadInput = 2 // unreadable or invalid input, or a usage error
)

// exitError carries an exit status through cobra's error return.
type exitError struct {
	code int
	err  error // nil when the command already printed what it had to say
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// badInput marks err as the user's input being at fault (exit status 2).
func badInput(err error) error { return &exitError{code: ExitBadInput, err: err} }

// exitWith ends the command with status code after its output is written.
func exitWith(code int) error {
	if code == ExitOK {
		return nil
	}
	return &exitError{code: code}
}

// env is what a command may touch of the outside world, so tests can run
// commands in-process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	warned         map[string]bool // warnings already printed
}

// Main runs execrole with args (without the program name) and returns the
// process exit status.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	root := newRoot(e)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	var xe *exitError
	if errors.As(err, &xe) {
		if xe.err != nil {
			fmt.Fprintln(stderr, "execrole:", xe.err)
		}
		return xe.code
	}
	// Anything cobra itself rejects (unknown flag, missing argument) is a
	// usage error.
	fmt.Fprintln(stderr, "execrole:", err)
	return ExitBadInput
}

func newRoot(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:   "execrole",
		Short: "Least-privilege ECS task execution roles that let the task start",
		Long: `execrole answers offline what AWS answers only after a failed deployment:
which permissions a task definition needs from its execution role, whether a
role lets the task start, what an IAM request would decide, and what a role
really did according to CloudTrail.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.CompletionOptions.DisableDefaultCmd = true
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return badInput(fmt.Errorf("%s: %w (see '%s --help')", c.CommandPath(), err, c.CommandPath()))
	})
	root.AddCommand(
		newVersionCmd(e),
		newSimulateCmd(e),
		newNeedsCmd(e),
		newGenerateCmd(e),
		newCheckCmd(e),
		newAuditCmd(e),
	)
	return root
}

// readInput reads a named file, or standard input for "-".
func (e *env) readInput(path string) ([]byte, error) {
	if path == "-" {
		b, err := io.ReadAll(e.stdin)
		if err != nil {
			return nil, fmt.Errorf("read standard input: %w", err)
		}
		return b, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, badInput(err)
	}
	return b, nil
}

// writeFileAtomic writes data to path through a temporary file in the same
// directory, so a reader never sees a half-written file.
func writeFileAtomic(path string, data []byte) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}

// checkFormat validates a --format value against the formats a command
// supports.
func checkFormat(got string, allowed ...string) error {
	for _, a := range allowed {
		if got == a {
			return nil
		}
	}
	return badInput(fmt.Errorf("--format %q: expected one of %s", got, strings.Join(allowed, ", ")))
}
