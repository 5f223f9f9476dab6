package iamdata

import (
	"bytes"
	"compress/gzip"
	"io"
	"testing"
)

func gunzip(t testing.TB, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func TestDecodeCounts(t *testing.T) {
	d, err := decode(embedded)
	if err != nil {
		t.Fatal(err)
	}
	// iam-engine.md §2.2 counts for 0.21.202609261; regenerating may grow them.
	if len(d.services) < 450 || len(d.all) < 22000 {
		t.Errorf("decoded %d services, %d actions; want >= 450, >= 22000", len(d.services), len(d.all))
	}
	if len(d.condPatterns) == 0 || len(d.rcp) == 0 {
		t.Errorf("%d condition patterns, %d RCP services", len(d.condPatterns), len(d.rcp))
	}
}

func TestDecodeCorrupt(t *testing.T) {
	raw := gunzip(t, embedded)
	for _, n := range []int{0, 4, len(magic), len(magic) + 3, len(raw) / 3, len(raw) / 2, len(raw) - 1} {
		if d, err := decode(gz(raw[:n])); err == nil || d != nil {
			t.Errorf("decode of %d/%d bytes: err = %v, db nil = %v", n, len(raw), err, d == nil)
		}
	}
	if _, err := decode(gz(append(bytes.Clone(raw), 0))); err == nil {
		t.Error("decode with trailing byte: no error")
	}
	if _, err := decode([]byte("not gzip")); err == nil {
		t.Error("decode of non-gzip: no error")
	}
}

// FuzzDecode checks that the decoder never panics and that an error means
// no result.
func FuzzDecode(f *testing.F) {
	raw := gunzip(f, embedded)
	f.Add(raw[:200])
	f.Add([]byte(magic + "\x01\x03abc\x01\x00\x00\x00\x00\x00\x00"))
	f.Add([]byte(magic + "\xff\xff\xff\xff\x0f"))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := decode(gz(b))
		if err != nil && d != nil {
			t.Fatal("error with non-nil result")
		}
	})
}

// BenchmarkFirstLoad measures the one-time decode paid by the first lookup.
func BenchmarkFirstLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decode(embedded); err != nil {
			b.Fatal(err)
		}
	}
}
