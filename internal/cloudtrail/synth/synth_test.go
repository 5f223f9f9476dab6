package synth

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fileNameRE is the documented log file name
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html).
var fileNameRE = regexp.MustCompile(`^[0-9]{12}_CloudTrail_[a-z0-9-]+_[0-9]{8}T[0-9]{4}Z_[A-Za-z0-9]{16}\.json\.gz$`)

func tree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDeterministicLayout(t *testing.T) {
	cfg := Config{Seed: 3, TasksPerDay: 5, NoisePerTask: 2}
	a, b := t.TempDir(), t.TempDir()
	sa, err := Generate(a, cfg)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := Generate(b, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(sa, sb); diff != "" {
		t.Fatalf("stats differ for the same seed:\n%s", diff)
	}
	ta, tb := tree(t, a), tree(t, b)
	if len(ta) != len(tb) {
		t.Fatalf("%d vs %d files", len(ta), len(tb))
	}
	logs := 0
	for p, body := range ta {
		if !bytes.Equal(body, tb[p]) {
			t.Errorf("%s differs between runs", p)
		}
		parts := strings.Split(p, "/")
		if parts[0] != "AWSLogs" || len(parts) != 8 {
			t.Errorf("%s: want AWSLogs/ACCOUNT/CloudTrail[-Digest]/REGION/YYYY/MM/DD/FILE", p)
			continue
		}
		if parts[2] == "CloudTrail" {
			logs++
			if !fileNameRE.MatchString(parts[7]) {
				t.Errorf("%s: bad log file name", p)
			}
			if len(body) < 2 || body[0] != 0x1f || body[1] != 0x8b {
				t.Errorf("%s: not gzip", p)
			}
		}
	}
	if logs != sa.Files || sa.DigestFiles != 4 || sa.Tasks != 20 {
		t.Errorf("logs %d, stats %+v", logs, sa)
	}
}
