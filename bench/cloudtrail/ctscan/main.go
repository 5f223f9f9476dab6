// Command ctscan is the benchmark driver for bench/cloudtrail/run.sh: it
// runs cloudtrail.Scan over the given inputs and prints one summary line,
// so the script can time it against zcat and jq on the same files.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/execrole/execrole/internal/cloudtrail"
)

func main() {
	workers := flag.Int("workers", 0, "parallel files (0 = GOMAXPROCS)")
	roles := flag.String("roles", "", "comma-separated role names or ARNs (empty = roles ECS assumed)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	flag.Parse()
	if *cpuprofile != "" {
		pf, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "ctscan:", err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(pf)
		defer pprof.StopCPUProfile()
	}
	var f cloudtrail.Filter
	if *roles != "" {
		f.Roles = strings.Split(*roles, ",")
	}
	t0 := time.Now()
	u, err := cloudtrail.Scan(context.Background(), flag.Args(), f, cloudtrail.Options{Workers: *workers})
	if err != nil {
		fmt.Fprintln(os.Stderr, "ctscan:", err)
		return
	}
	el := time.Since(t0).Seconds()
	rows := 0
	for _, r := range u.Roles {
		rows += len(r.Used) + len(r.Denied)
	}
	fmt.Printf("roles=%d rows=%d files=%d records=%d attributed=%d duplicates=%d problems=%d MB=%.1f MB/s=%.0f\n",
		len(u.Roles), rows, u.Stats.Files, u.Stats.Records, u.Stats.Attributed, u.Stats.Duplicates, len(u.Problems),
		float64(u.Stats.Bytes)/1e6, float64(u.Stats.Bytes)/1e6/el)
}
