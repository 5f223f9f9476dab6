package cli

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLineDecoder(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     requestLine
		err      bool
	}{
		{"all members", `{"principal":"p","action":"s3:GetObject","resource":"arn:aws:s3:::b/k","resourceAccount":"111122223333","context":{"aws:SourceIp":"10.0.0.1","n":3,"b":true,"l":["x","y"]}}`,
			requestLine{Principal: "p", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", ResourceAccount: "111122223333", Context: map[string]any{"aws:SourceIp": "10.0.0.1", "n": "3", "b": true, "l": []any{"x", "y"}}}, false},
		{"minimal", `{"action":"ecr:GetAuthorizationToken"}`, requestLine{Action: "ecr:GetAuthorizationToken"}, false},
		{"unknown member", `{"Action":"x"}`, requestLine{}, true},
		{"duplicate member", `{"action":"x","action":"y"}`, requestLine{}, true},
		{"not an object", `["x"]`, requestLine{}, true},
		{"number action", `{"action":1}`, requestLine{}, true},
		{"nested context", `{"context":{"k":{"a":1}}}`, requestLine{}, true},
		{"trailing data", `{"action":"x"} {}`, requestLine{}, true},
		{"truncated", `{"action":`, requestLine{}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got requestLine
			err := newLineDecoder().decode([]byte(tc.in), &got)
			if (err != nil) != tc.err {
				t.Fatalf("decode(%s) error = %v, want error %v", tc.in, err, tc.err)
			}
			if !tc.err {
				if d := cmp.Diff(tc.want, got); d != "" {
					t.Errorf("decode(%s) (-want +got):\n%s", tc.in, d)
				}
			}
		})
	}
}

func FuzzLineDecoder(f *testing.F) {
	f.Add([]byte(`{"principal":"p","action":"a","context":{"k":["v",1,true]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var rl requestLine
		_ = newLineDecoder().decode(b, &rl)
	})
}
