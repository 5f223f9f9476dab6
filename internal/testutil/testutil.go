// Package testutil holds what execrole's tests share: golden-file
// comparison and the location of the shared research data that tests read
// but the repository never copies.
package testutil

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Golden compares got with the file at path, or rewrites the file when
// update is set (each package's -update flag).
func Golden(t testing.TB, path string, got []byte, update bool) {
	t.Helper()
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if d := cmp.Diff(string(want), string(got)); d != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, d)
	}
}

// SharedDir returns the shared research data beside the repository
// ($EXECROLE_SHARED, else ../shared from the repository root). When it is
// absent the test is skipped loudly, or fails when EXECROLE_REQUIRE_ORACLE=1
// (CI), so that a missing corpus can never pass as green.
func SharedDir(t testing.TB) string {
	t.Helper()
	dir, ok := sharedDir()
	if !ok {
		if os.Getenv("EXECROLE_REQUIRE_ORACLE") == "1" {
			t.Fatalf("shared data not found at %s, and EXECROLE_REQUIRE_ORACLE=1", dir)
		}
		t.Skipf("SKIPPED: shared data not found at %s (set EXECROLE_SHARED); corpus tests did not run", dir)
	}
	return dir
}

func sharedDir() (string, bool) {
	dir := os.Getenv("EXECROLE_SHARED")
	if dir == "" {
		_, file, _, _ := runtime.Caller(0)
		dir = filepath.Join(filepath.Dir(file), "..", "..", "..", "shared")
	}
	_, err := os.Stat(filepath.Join(dir, "corpus"))
	return dir, err == nil
}
