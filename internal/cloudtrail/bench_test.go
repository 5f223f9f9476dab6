package cloudtrail_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/execrole/execrole/internal/cloudtrail"
	"github.com/execrole/execrole/internal/cloudtrail/synth"
)

var (
	benchOnce sync.Once
	benchDirs = map[int]string{}
	benchSt   = map[int]*synth.Stats{}
	benchErr  error
)

// benchTrail generates (once per process) trails of 1x and 10x size.
func benchTrail(b *testing.B, scale int) (string, *synth.Stats) {
	benchOnce.Do(func() {
		root, err := os.MkdirTemp("", "ctbench")
		if err != nil {
			benchErr = err
			return
		}
		for _, s := range []int{1, 10} {
			d := filepath.Join(root, fmt.Sprint(s))
			st, err := synth.Generate(d, synth.Config{Seed: 1, TasksPerDay: 150, Days: s})
			if err != nil {
				benchErr = err
				return
			}
			benchDirs[s], benchSt[s] = d, st
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchDirs[scale], benchSt[scale]
}

// BenchmarkScan reports MB/s of uncompressed JSON for 1 and 2 workers.
func BenchmarkScan(b *testing.B) {
	d, st := benchTrail(b, 1)
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprint("workers=", w), func(b *testing.B) {
			b.SetBytes(st.JSONBytes)
			for b.Loop() {
				u, err := cloudtrail.Scan(context.Background(), []string{d}, cloudtrail.Filter{}, cloudtrail.Options{Workers: w})
				if err != nil || u.Stats.Records != st.Records {
					b.Fatalf("err %v records %d want %d", err, u.Stats.Records, st.Records)
				}
			}
			b.ReportMetric(float64(st.Records*int64(b.N))/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// BenchmarkScanMemory scans a trail and the same trail ten times larger and
// reports, sampled during each scan, the peak of the live heap as of the
// last GC (what the scan retains: it must stay flat) and the peak of all
// heap objects including not-yet-collected garbage (bounded by GOGC).
func BenchmarkScanMemory(b *testing.B) {
	for _, scale := range []int{1, 10} {
		d, st := benchTrail(b, scale)
		b.Run(fmt.Sprintf("input=%dx", scale), func(b *testing.B) {
			var peakLive, peakAll uint64
			for b.Loop() {
				runtime.GC()
				stop := make(chan struct{})
				done := make(chan [2]uint64)
				go func() { done <- samplePeakHeap(stop) }()
				if _, err := cloudtrail.Scan(context.Background(), []string{d}, cloudtrail.Filter{}, cloudtrail.Options{Workers: 2}); err != nil {
					b.Fatal(err)
				}
				close(stop)
				p := <-done
				peakLive, peakAll = max(peakLive, p[0]), max(peakAll, p[1])
			}
			b.ReportMetric(float64(peakLive)/(1<<20), "peak-live-MiB")
			b.ReportMetric(float64(peakAll)/(1<<20), "peak-heap-MiB")
			b.ReportMetric(float64(st.JSONBytes)/(1<<20), "input-MiB")
		})
	}
}

func samplePeakHeap(stop <-chan struct{}) [2]uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/memory/classes/heap/objects:bytes"}}
	var peak [2]uint64
	tk := time.NewTicker(time.Millisecond)
	defer tk.Stop()
	for {
		metrics.Read(s)
		peak[0] = max(peak[0], s[0].Value.Uint64())
		peak[1] = max(peak[1], s[1].Value.Uint64())
		select {
		case <-stop:
			return peak
		case <-tk.C:
		}
	}
}
