package cloudtrail

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/klauspost/compress/gzip"
	"golang.org/x/sync/errgroup"
)

// Options tune a scan without changing its result.
type Options struct {
	// Workers is the number of files read in parallel; 0 means GOMAXPROCS.
	Workers int
	// Progress, when non-nil, receives a one-line progress display rewritten
	// with '\r' a few times a second. Callers pass os.Stderr only when it is
	// a terminal and --quiet is off.
	Progress io.Writer
	// DedupSlots sizes the duplicate-eventID filter; 0 means
	// DefaultDedupSlots, negative disables deduplication.
	DedupSlots int
	// Stdin is read for the input "-"; nil means os.Stdin.
	Stdin io.Reader
}

// Scan reads the inputs (files, directories walked recursively, or "-" for
// standard input), attributes every event to the selected roles and returns
// the aggregation. Files that cannot be read are listed in Usage.Problems
// and the scan goes on; err is non-nil only for a cancelled context or an
// input path that does not exist.
func Scan(ctx context.Context, inputs []string, f Filter, opts Options) (*Usage, error) {
	for _, in := range inputs {
		if in == "-" {
			continue
		}
		if _, err := os.Stat(in); err != nil {
			return nil, fmt.Errorf("cloudtrail input: %w", err)
		}
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var dd *dedupSet
	switch {
	case opts.DedupSlots == 0:
		dd = newDedupSet(DefaultDedupSlots)
	case opts.DedupSlots > 0:
		dd = newDedupSet(opts.DedupSlots)
	}
	stdin := opts.Stdin
	if stdin == nil {
		stdin = os.Stdin
	}
	var pr progress
	stop := pr.start(opts.Progress)

	// The walk streams paths through a buffered channel, so memory does not
	// grow with the number of files.
	paths := make(chan string, 4096)
	aggs := make([]*aggregator, workers)
	var mu sync.Mutex
	var problems []FileProblem
	var walkSkipped []FileProblem
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		defer close(paths)
		var err error
		walkSkipped, err = expand(gctx, inputs, &f, paths, &pr)
		return err
	})
	for w := range workers {
		a := newAggregator(&f, dd)
		aggs[w] = a
		g.Go(func() error {
			rd := newFileReader(a, &f, &pr)
			for p := range paths {
				if err := gctx.Err(); err != nil {
					return err
				}
				prob := rd.readPath(p, stdin)
				if prob != nil {
					mu.Lock()
					problems = append(problems, *prob)
					mu.Unlock()
				}
				pr.files.Add(1)
			}
			return nil
		})
	}
	err := g.Wait()
	stop()
	if err != nil {
		return nil, err
	}
	total := newAggregator(&f, dd)
	for _, a := range aggs {
		total.merge(a)
	}
	total.stats.SkippedFiles += len(walkSkipped)
	total.stats.OutOfWindowFiles = int(pr.windowSkipped.Load())
	problems = append(problems, walkSkipped...)
	u := total.usage()
	if dd != nil {
		u.Stats.DedupSaturated = dd.saturated.Load()
	}
	sort.Slice(problems, func(i, j int) bool { return problems[i].File < problems[j].File })
	u.Problems = problems
	return u, nil
}

// expand walks directories and sends the files to read. Digest and
// Insights trees are skipped by path, as are files that are neither .json
// nor .gz inside directories; files named explicitly are always read.
func expand(ctx context.Context, inputs []string, f *Filter, out chan<- string, pr *progress) (skipped []FileProblem, err error) {
	send := func(p string) error {
		pr.total.Add(1)
		select {
		case out <- p:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	for _, in := range inputs {
		if in == "-" {
			if err := send(in); err != nil {
				return nil, err
			}
			continue
		}
		st, err := os.Stat(in)
		if err != nil {
			return nil, fmt.Errorf("cloudtrail input: %w", err)
		}
		if !st.IsDir() {
			if err := send(in); err != nil {
				return nil, err
			}
			continue
		}
		err = filepath.WalkDir(in, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				skipped = append(skipped, FileProblem{File: p, Error: err.Error()})
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			name := d.Name()
			if d.IsDir() {
				if name == "CloudTrail-Digest" || name == "CloudTrail-Insight" {
					skipped = append(skipped, FileProblem{File: p, Skipped: "digest or Insights folder"})
					return fs.SkipDir
				}
				return nil
			}
			if !d.Type().IsRegular() {
				return nil
			}
			if strings.Contains(name, "_CloudTrail-Digest_") || strings.Contains(name, "_CloudTrail-Insight_") {
				skipped = append(skipped, FileProblem{File: p, Skipped: "digest or Insights file"})
				return nil
			}
			if strings.HasSuffix(name, ".json") || strings.HasSuffix(name, ".gz") {
				if outsideWindow(name, f) {
					pr.windowSkipped.Add(1)
					return nil
				}
				return send(p)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return skipped, nil
}

// fileReader holds one worker's reusable buffers.
type fileReader struct {
	agg    *aggregator
	filter *Filter
	pr     *progress
	br     *bufio.Reader
	gz     *gzip.Reader
	buf    bytes.Buffer
	rec    Record // reused per record; add copies what it keeps
	intern interner
	// gzipped is set while the current file is a gzip stream.
	gzipped bool
}

func newFileReader(a *aggregator, f *Filter, pr *progress) *fileReader {
	r := &fileReader{agg: a, filter: f, pr: pr, br: bufio.NewReaderSize(nil, 256<<10)}
	return r
}

func (fr *fileReader) readPath(p string, stdin io.Reader) *FileProblem {
	var src io.Reader
	name := p
	if p == "-" {
		src, name = stdin, "<stdin>"
	} else {
		f, err := os.Open(p)
		if err != nil {
			return &FileProblem{File: p, Error: err.Error()}
		}
		defer f.Close()
		src = f
	}
	before := fr.agg.stats.Records
	skip, err := fr.read(src)
	n := fr.agg.stats.Records - before
	fr.pr.records.Add(n)
	fr.agg.stats.Files++
	switch {
	case skip != "":
		fr.agg.stats.Files--
		fr.agg.stats.SkippedFiles++
		return &FileProblem{File: name, Skipped: skip}
	case err != nil:
		msg := err.Error()
		if fr.gzipped && (errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(msg, "gzip") || strings.Contains(msg, "flate")) {
			msg = "truncated or corrupt gzip stream: " + msg
		}
		return &FileProblem{File: name, Records: n, Error: fmt.Sprintf("after %d records: %s", n, msg)}
	}
	return nil
}

// read detects gzip by its magic number and the JSON shape by its first
// byte, inflates the file into a reused buffer (so memory is bounded by the
// largest file, not the input), and walks the records one at a time.
// Records before a truncation or syntax error are kept.
func (fr *fileReader) read(src io.Reader) (skip string, err error) {
	fr.br.Reset(src)
	var r io.Reader = fr.br
	fr.gzipped = false
	if magic, _ := fr.br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		if fr.gz == nil {
			fr.gz, err = gzip.NewReader(fr.br)
		} else {
			err = fr.gz.Reset(fr.br)
		}
		if err != nil {
			return "", fmt.Errorf("gzip: %w", err)
		}
		r = fr.gz
		fr.gzipped = true
	}
	fr.buf.Reset()
	_, readErr := fr.buf.ReadFrom(r)
	data := fr.buf.Bytes()
	fr.agg.stats.Bytes += int64(len(data))
	fr.pr.bytes.Add(int64(len(data)))
	if fr.buf.Cap() > maxKeptBuffer {
		defer func() { fr.buf = bytes.Buffer{} }()
	}
	skip, err = fr.walk(data)
	if readErr != nil {
		return "", readErr
	}
	return skip, err
}

// maxKeptBuffer caps the inflate buffer a worker keeps between files.
const maxKeptBuffer = 64 << 20

// walk finds the record array of a file: {"Records":[...]} (S3 delivery),
// a bare [...] (Stratus Red Team, exports), {"Events":[...]}
// (lookup-events) or {"QueryResultRows":[...]} (CloudTrail Lake).
func (fr *fileReader) walk(data []byte) (skip string, err error) {
	s := &scan{b: data}
	switch s.peek() {
	case '[':
		fr.events(s)
	case '{':
		found, digest := false, false
		s.object(func(k []byte) {
			switch string(k) {
			case "Records":
				found = true
				fr.events(s)
			case "Events":
				found = true
				fr.records(s, fr.lookupEvent)
			case "QueryResultRows":
				found = true
				fr.records(s, fr.lakeRow)
			case "digestStartTime", "logFiles":
				digest = true
			}
		})
		if s.err == nil && !found {
			if digest {
				return "digest file (no Records)", nil
			}
			return "no Records, Events or QueryResultRows member", nil
		}
	default:
		return "", fmt.Errorf("want a JSON object or array at byte %d", s.i)
	}
	if s.err != nil {
		return "", s.err
	}
	if s.peek() != 0 {
		return "", fmt.Errorf("unexpected data after the JSON value at byte %d", s.i)
	}
	return "", nil
}

// records hands each element of the array at s to fn. A bad element is
// counted and skipped; a structural error ends the file.
func (fr *fileReader) records(s *scan, fn func([]byte)) {
	if s.peek() == 'n' {
		s.skip()
		return
	}
	if s.peek() != '[' {
		s.fail()
		return
	}
	s.array(func() {
		s.ws()
		start := s.i
		s.skip()
		if s.err != nil {
			return
		}
		fr.agg.stats.Records++
		fn(s.b[start:s.i])
	})
}

// events reads the Records array in a single pass: each event is decoded
// where it lies, without first finding its end, since extracting the few
// fields the audit needs costs about as much as skipping the record.
func (fr *fileReader) events(s *scan) {
	if s.peek() == 'n' {
		s.skip()
		return
	}
	if s.peek() != '[' {
		s.fail()
		return
	}
	s.in = &fr.intern
	s.array(func() {
		r := &fr.rec
		*r = Record{Resources: r.Resources[:0]}
		err := s.record(r)
		if s.err != nil {
			return
		}
		fr.agg.stats.Records++
		if err != nil {
			fr.agg.stats.BadRecords++
			return
		}
		fr.agg.add(r)
	})
	s.in = nil
}

// record handles one event held in its own buffer (lookup-events and Lake
// rows).
func (fr *fileReader) record(v []byte) {
	r := &fr.rec
	*r = Record{Resources: r.Resources[:0]}
	if err := parseRecordInto(v, r, &fr.intern); err != nil {
		fr.agg.stats.BadRecords++
		return
	}
	fr.agg.add(r)
}

// lookupEvent unwraps the CloudTrailEvent string of a LookupEvents result
// (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_Event.html).
func (fr *fileReader) lookupEvent(v []byte) {
	var ev struct {
		CloudTrailEvent string `json:"CloudTrailEvent"`
	}
	if err := json.Unmarshal(v, &ev, decodeOpts); err != nil || ev.CloudTrailEvent == "" {
		fr.agg.stats.BadRecords++
		return
	}
	inner := jsontext.Value(ev.CloudTrailEvent)
	if !inner.IsValid(decodeOpts) {
		fr.agg.stats.BadRecords++
		return
	}
	fr.record(inner)
}

// lakeRow rebuilds an event from a CloudTrail Lake result row, an array of
// single-member objects such as [{"eventTime":"..."},{"eventName":"..."}]
// (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetQueryResults.html).
// Columns holding JSON text (userIdentity, requestParameters, resources) are
// embedded as JSON; the query must select the event columns by their
// record names.
func (fr *fileReader) lakeRow(v []byte) {
	var cols []map[string]jsontext.Value
	if err := json.Unmarshal(v, &cols, decodeOpts); err != nil {
		fr.agg.stats.BadRecords++
		return
	}
	var b bytes.Buffer
	b.WriteByte('{')
	first := true
	for _, col := range cols {
		for k, val := range col {
			if !first {
				b.WriteByte(',')
			}
			first = false
			kb, _ := jsontext.AppendQuote(nil, k)
			b.Write(kb)
			b.WriteByte(':')
			if len(val) > 0 && val[0] == '"' {
				var s string
				if json.Unmarshal(val, &s, decodeOpts) == nil {
					t := strings.TrimSpace(s)
					if (strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[")) && jsontext.Value(t).IsValid() {
						b.WriteString(t)
						continue
					}
				}
			}
			b.Write(val)
		}
	}
	b.WriteByte('}')
	if !jsontext.Value(b.Bytes()).IsValid(decodeOpts) {
		fr.agg.stats.BadRecords++
		return
	}
	fr.record(b.Bytes())
}

// progress is shared by the workers and drawn by one goroutine.
type progress struct {
	files, total, records, bytes atomic.Int64
	windowSkipped                atomic.Int64
}

func (p *progress) start(w io.Writer) (stop func()) {
	if w == nil {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	t0 := time.Now()
	draw := func() {
		secs := time.Since(t0).Seconds()
		mb := float64(p.bytes.Load()) / 1e6
		rate := 0.0
		if secs > 0 {
			rate = mb / secs
		}
		fmt.Fprintf(w, "\rcloudtrail: %d/%d files, %d records, %.0f MB, %.0f MB/s ", p.files.Load(), p.total.Load(), p.records.Load(), mb, rate)
	}
	go func() {
		defer wg.Done()
		tk := time.NewTicker(200 * time.Millisecond)
		defer tk.Stop()
		for {
			select {
			case <-tk.C:
				draw()
			case <-done:
				draw()
				fmt.Fprintln(w)
				return
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

// outsideWindow uses the delivery time in a log file name
// (ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_UNIQUE.json.gz,
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html)
// to skip files that cannot hold events in the window. A file "can contain
// records written at any point before" its delivery time, so one delivered
// before Since is skipped; delivery usually follows within minutes but is
// not guaranteed, so only files delivered more than a day after Until are
// skipped. Names that do not parse are always read.
func outsideWindow(name string, f *Filter) bool {
	if f.Since.IsZero() && f.Until.IsZero() {
		return false
	}
	i := strings.Index(name, "_CloudTrail_")
	if i < 0 {
		return false
	}
	rest := name[i+len("_CloudTrail_"):]
	j := strings.IndexByte(rest, '_')
	if j < 0 || len(rest) < j+1+14 {
		return false
	}
	t, err := time.Parse("20060102T1504Z", rest[j+1:j+15])
	if err != nil {
		return false
	}
	if !f.Since.IsZero() && t.Before(f.Since) {
		return true
	}
	return !f.Until.IsZero() && t.After(f.Until.Add(24*time.Hour))
}
