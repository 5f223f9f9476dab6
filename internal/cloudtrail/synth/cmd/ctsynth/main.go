// Command ctsynth writes a synthetic CloudTrail trail in the S3 delivery
// layout for benchmarks: ctsynth -out DIR [-seed N] [-tasks N] [-days N].
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/execrole/execrole/internal/cloudtrail/synth"
)

func main() {
	out := flag.String("out", "", "output directory (required)")
	seed := flag.Uint64("seed", 1, "random seed")
	tasks := flag.Int("tasks", 24, "task starts per account, region and day")
	days := flag.Int("days", 1, "days")
	accounts := flag.Int("accounts", 2, "accounts")
	noise := flag.Int("noise", 20, "unrelated records per task")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "ctsynth: -out is required")
		os.Exit(2)
	}
	st, err := synth.Generate(*out, synth.Config{Seed: *seed, TasksPerDay: *tasks, Days: *days, Accounts: *accounts, NoisePerTask: *noise})
	if err != nil {
		fmt.Fprintln(os.Stderr, "ctsynth:", err)
		os.Exit(1)
	}
	fmt.Printf("files=%d digests=%d duplicates=%d records=%d json_bytes=%d gz_bytes=%d tasks=%d\n",
		st.Files, st.DigestFiles, st.DuplicateFiles, st.Records, st.JSONBytes, st.GzipBytes, st.Tasks)
}
