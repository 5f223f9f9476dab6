package testutil

import (
	"bufio"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TerraformDir is one directory of Terraform from the shared corpus, as it
// stands in its repository.
type TerraformDir struct {
	// Name is owner__repo__dir as the corpus flattens paths, with
	// @LABEL when the files come from an older revision
	// (name.LABEL.tf), e.g. terraform-aws-modules__terraform-aws-ecs__modules__service@v5.12.1.
	Name string
	// Dir is the directory in a temporary copy of the repository.
	Dir string
	// Root is the repository copy's root, to strip from messages.
	Root string
}

// TerraformDirs rebuilds, under t.TempDir(), every repository revision that
// the corpus's Terraform comes from, with each file of that repository and
// commit at its original path (corpus/SOURCES.tsv gives both): Terraform,
// the templates it reads (mixed/, iam-policy/) and the rest. Relative
// module sources and file() paths between the files then resolve as they
// do in the repository. It returns the directories that hold .tf files,
// sorted by name. The corpus is read, never copied into the repository.
func TerraformDirs(t testing.TB, corpus string) []TerraformDir {
	t.Helper()
	f, err := os.Open(filepath.Join(corpus, "SOURCES.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	type row struct{ file, repo, path, commit string }
	var rows []row
	sc := bufio.NewScanner(f)
	for first := true; sc.Scan(); first = false {
		cols := strings.Split(sc.Text(), "\t")
		if first || len(cols) < 4 {
			continue
		}
		rows = append(rows, row{cols[0], cols[1], cols[2], cols[3]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	roots := map[string]string{} // repo@commit → root
	seen := map[string]TerraformDir{}
	for _, r := range rows {
		key := r.repo + "@" + r.commit
		root, ok := roots[key]
		if !ok {
			root = filepath.Join(tmp, strings.ReplaceAll(r.repo, "/", "__")+"@"+r.commit)
			roots[key] = root
		}
		clean := path.Clean(r.path)
		if strings.HasPrefix(clean, "../") || path.IsAbs(clean) {
			t.Fatalf("SOURCES.tsv: %s: path %q leaves the repository", r.file, r.path)
		}
		dst := filepath.Join(root, filepath.FromSlash(clean))
		data, err := os.ReadFile(filepath.Join(corpus, filepath.FromSlash(r.file)))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(r.file, "terraform/") || !strings.HasSuffix(r.file, ".tf") {
			continue
		}
		// The name the corpus file has, without the file: owner__repo__dir,
		// and the revision label of name.LABEL.tf.
		base := path.Base(r.file)
		i := strings.LastIndex(base, "__")
		name := base[:i]
		stem := strings.TrimSuffix(base[i+2:], ".tf")
		if j := strings.IndexByte(stem, '.'); j >= 0 {
			name += "@" + stem[j+1:]
		}
		seen[name] = TerraformDir{Name: name, Dir: filepath.Dir(dst), Root: root}
	}
	out := make([]TerraformDir, 0, len(seen))
	for _, d := range seen {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
