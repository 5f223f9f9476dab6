package cfn

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkParseCopilotStack parses and resolves a 1,028-line
// Copilot-generated stack from the shared corpus.
func BenchmarkParseCopilotStack(b *testing.B) {
	dir := os.Getenv("EXECROLE_SHARED")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared")
	}
	src, err := os.ReadFile(filepath.Join(dir, "corpus", "cloudformation", "aws__copilot-cli__internal__pkg__deploy__cloudformation__stack__testdata__workloads__svc-prod.stack.yml"))
	if err != nil {
		b.Skipf("SKIPPING: shared corpus not found at %s: %v", dir, err)
	}
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if tm, _ := Parse("s.yml", src, Options{}); tm == nil {
			b.Fatal("no template")
		}
	}
}
