// Package npmpkg installs a pinned npm package into a temporary directory,
// for the generators that turn MIT-licensed npm data into the AWS knowledge
// execrole embeds. It is used only by `go generate`, never at run time.
package npmpkg

import (
	"errors"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Install runs `npm install name@version` into a new temporary directory
// and returns that directory (the caller removes it) and the package's own
// directory. hint tells the user how to do without npm.
func Install(name, version, hint string) (tmp, dir string, err error) {
	npm, err := exec.LookPath("npm")
	if err != nil {
		return "", "", errors.New("npm not found in PATH: install Node.js/npm to regenerate, or " + hint)
	}
	tmp, err = os.MkdirTemp("", "execrole-npm-")
	if err != nil {
		return "", "", err
	}
	args := []string{"install", "--no-audit", "--no-fund", "--prefix", tmp, name + "@" + version}
	log.Printf("running: %s %s", npm, strings.Join(args, " "))
	cmd := exec.Command(npm, args...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		os.RemoveAll(tmp)
		return "", "", fmt.Errorf("npm install %s@%s: %w", name, version, err)
	}
	return tmp, filepath.Join(tmp, "node_modules", filepath.FromSlash(name)), nil
}
