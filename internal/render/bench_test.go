package render_test

import "testing"

// BenchmarkRender measures each format on the "full" fixture (two roles,
// managed policies, tags and a repository policy).
func BenchmarkRender(b *testing.B) {
	r := fixtures[1].r
	for _, f := range formats {
		b.Run(f.ext, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := f.render(r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
