package policy_test

import (
	"testing"

	"github.com/execrole/execrole/internal/managed"
	"github.com/execrole/execrole/internal/policy"
)

// BenchmarkParse parses ReadOnlyAccess, the largest AWS managed policy
// (about 91,000 non-whitespace characters, thousands of actions).
func BenchmarkParse(b *testing.B) {
	m, ok := managed.ByName("ReadOnlyAccess")
	if !ok {
		b.Skip("SKIPPING: ReadOnlyAccess not embedded in internal/managed")
	}
	b.SetBytes(int64(len(m.Document)))
	b.ReportAllocs()
	for b.Loop() {
		if p, ds := policy.Parse(m.ARN, m.Document, policy.Identity); p == nil {
			b.Fatal(ds)
		}
	}
}
