package cli

import (
	"math/bits"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLineDecoder(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     requestLine
		errAt    int // byte offset of the error, -1 for none
	}{
		{"all members", `{"principal":"p","action":"s3:GetObject","resource":"arn:aws:s3:::b/k","resourceAccount":"111122223333","context":{"aws:SourceIp":"10.0.0.1","n":3,"b":true,"l":["x",2.50,false],"e":[]}}`,
			requestLine{Principal: "p", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", ResourceAccount: "111122223333", Context: []ctxEntry{
				{key: "aws:SourceIp", vals: []string{"10.0.0.1"}}, {key: "n", vals: []string{"3"}}, {key: "b", vals: []string{"true"}},
				{key: "l", vals: []string{"x", "2.50", "false"}}, {key: "e", vals: []string{}}}}, -1},
		{"minimal", `{"action":"ecr:GetAuthorizationToken"}`, requestLine{Action: "ecr:GetAuthorizationToken"}, -1},
		{"escapes", `{"action":"s3:\u0047etObject","resource":"arn:aws:s3:::b/\"q\"/\u00e9"}`, requestLine{Action: "s3:GetObject", Resource: `arn:aws:s3:::b/"q"/é`}, -1},
		{"null context", `{"action":"a","context":null}`, requestLine{Action: "a"}, -1},
		{"unknown member", `{"action":"x", "Action":"x"}`, requestLine{}, 15},
		{"duplicate member", `{"action":"x","action":"y"}`, requestLine{}, 14},
		{"duplicate context key", `{"context":{"k":"a","k":"b"}}`, requestLine{}, 20},
		{"not an object", `["x"]`, requestLine{}, 0},
		{"number action", `{"action":1}`, requestLine{}, 10},
		{"nested context", `{"context":{"k":{"a":1}}}`, requestLine{}, 16},
		{"nested list", `{"context":{"k":["a",["b"]]}}`, requestLine{}, 21},
		{"null in list", `{"context":{"k":[null]}}`, requestLine{}, 17},
		{"context not an object", `{"context":"k"}`, requestLine{}, 11},
		{"trailing data", `{"action":"x"} {}`, requestLine{}, 15},
		{"truncated", `{"action":`, requestLine{}, 10},
		{"invalid UTF-8", "{\"action\":\"s3:\xffx\"}", requestLine{}, 14},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got requestLine
			err := newLineDecoder().decode([]byte(tc.in), &got)
			if (err != nil) != (tc.errAt >= 0) {
				t.Fatalf("decode(%s) error = %v, want error %v", tc.in, err, tc.errAt >= 0)
			}
			if err != nil {
				le, ok := err.(*lineError)
				if !ok {
					t.Fatalf("decode(%s) error %T, want *lineError", tc.in, err)
				}
				if le.off != tc.errAt {
					t.Errorf("decode(%s) error %v at offset %d, want %d", tc.in, err, le.off, tc.errAt)
				}
				return
			}
			if d := cmp.Diff(tc.want, got, cmp.AllowUnexported(requestLine{}, ctxEntry{})); d != "" {
				t.Errorf("decode(%s) (-want +got):\n%s", tc.in, d)
			}
		})
	}
}

// fastLines are lines decodeFast must take: the shapes bench/iamsim's
// generator and ordinary tools write.
var fastLines = []string{
	`{"principal":"arn:aws:sts::111122223333:assumed-role/app-exec/0123abcd","action":"s3:GetObject","resource":"arn:aws:s3:::bench-bucket/a/b.txt","resourceAccount":"111122223333","context":{}}`,
	`{"action":"kms:Decrypt","resource":"arn:aws:kms:us-east-1:111122223333:key/k","context":{"kms:ViaService":"ssm.us-east-1.amazonaws.com","aws:SourceIp":"10.0.0.1"}}`,
	` { "context" : { } , "action" : "ecr:GetAuthorizationToken" }	`,
	`{}`,
	`{"resource":"a<b>&c'd"}`,
}

// slowLines are valid lines only the general decoder takes.
var slowLines = []string{
	`{"action":"s3:\u0047etObject"}`,
	`{"action":"s3:GetObject","resource":"arn:aws:s3:::b/é"}`,
	`{"action":"s3:GetObject","resource":"arn:aws:s3:::b/` + "\x7f" + `"}`,
	`{"action":"a","context":{"n":1}}`,
	`{"action":"a","context":{"b":true}}`,
	`{"action":"a","context":{"l":["x","y"]}}`,
	`{"action":"a","context":null}`,
}

// TestDecodeFast checks that the fast decoder takes the common shapes and
// that whatever it takes, the general decoder reads the same way; what it
// declines (valid or not) is left to the general decoder.
func TestDecodeFast(t *testing.T) {
	for _, l := range fastLines {
		var rl requestLine
		if !decodeFast(strings.TrimSpace(l), &rl) {
			t.Errorf("decodeFast(%s) declined a common line", l)
		}
		checkFastAgrees(t, strings.TrimSpace(l))
	}
	bad := []string{
		`{"action":"x","action":"y"}`, `{"context":{"k":"a","k":"b"}}`, `{"action":"x"`, `{"action":"x",}`,
		`{"action":"x"} {}`, `{"action":"x"}x`, `{"Action":"x"}`, `{"action":1}`, `["x"]`, `{"context":{"k":"v",}}`,
		`{"context":{"k"}}`, `{"context":[]}`, `{"action" "x"}`, `"x"`, `{`, `{"action":"x`, "{\"action\":\"a\x01\"}",
	}
	for _, l := range append(slowLines, bad...) {
		var rl requestLine
		if decodeFast(l, &rl) {
			t.Errorf("decodeFast(%s) took a line the general decoder must read", l)
		}
	}
}

func checkFastAgrees(t *testing.T, l string) {
	t.Helper()
	var fast, slow requestLine
	if !decodeFast(l, &fast) {
		return
	}
	if err := newLineDecoder().decode([]byte(l), &slow); err != nil {
		t.Fatalf("decodeFast took %q, which the general decoder rejects: %v", l, err)
	}
	for i, c := range fast.Context {
		fast.Context[i] = ctxEntry{key: c.key, vals: []string{c.val}}
	}
	if !slow.plain && fast.plain {
		slow.plain = true
	}
	if d := cmp.Diff(slow, fast, cmp.AllowUnexported(requestLine{}, ctxEntry{})); d != "" {
		t.Errorf("decodeFast(%s) differs from the general decoder (-general +fast):\n%s", l, d)
	}
}

func FuzzLineDecoder(f *testing.F) {
	for _, l := range append(fastLines, slowLines...) {
		f.Add([]byte(l))
	}
	f.Add([]byte(`{"principal":"p","action":"a","context":{"k":["v",1,true]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var rl requestLine
		err := newLineDecoder().decode(b, &rl)
		if le, ok := err.(*lineError); err != nil && (!ok || le.off < 0 || le.off > len(b)) {
			t.Fatalf("decode(%q) error %v: want a *lineError within the line", b, err)
		}
		checkFastAgrees(t, string(b))
	})
}

func special(c byte) bool { return c < 0x20 || c > 0x7e || c == '"' || c == '\\' }

// TestSpecialMask checks the word-at-a-time test against the byte-wise
// one: every byte value at every position, then random words; the lowest
// flagged byte must be the first special one.
func TestSpecialMask(t *testing.T) {
	check := func(b []byte) {
		t.Helper()
		first := -1
		for i, c := range b {
			if special(c) {
				first = i
				break
			}
		}
		m := specialMask(load64(string(b), 0))
		got := -1
		if m != 0 {
			got = bits.TrailingZeros64(m) / 8
		}
		if got != first {
			t.Fatalf("specialMask(%q) flags byte %d first, want %d", b, got, first)
		}
	}
	for p := 0; p < 8; p++ {
		for c := 0; c < 256; c++ {
			b := []byte("abcdefgh")
			b[p] = byte(c)
			check(b)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		b := make([]byte, 8)
		for i := range b {
			b[i] = byte(r.IntN(256))
			if r.IntN(2) == 0 {
				b[i] = byte(0x20 + r.IntN(0x5f)) // mostly printable
			}
		}
		check(b)
	}
}
