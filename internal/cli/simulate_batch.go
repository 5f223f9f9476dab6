package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"unicode"
	"unsafe"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/execrole/execrole/internal/eval"
	"github.com/execrole/execrole/internal/policy"
)

// batchChunkBytes is how much of the request input one worker decides at
// a time: large enough to amortise scheduling and the system calls, small
// enough to keep output streaming and buffers in cache.
const batchChunkBytes = 128 << 10

// batchSlot is one chunk in flight: its input lines and their decisions.
// Slots are recycled, so a run's memory does not grow with its input.
type batchSlot struct {
	in, out []byte
	lines   int        // lines in the chunk, up to the bad one
	bad     *lineError // a bad line (counted in lines), or nil
	err     error      // any other error
	done    chan struct{}
}

// runBatch decides every line of a --requests input. A reader cuts the
// input into chunks at line ends, workers decide chunks in parallel, and
// the decisions are written in input order. The first bad line ends the
// run (exit 2) after the decisions before it are written; so does a read
// error. readErr wraps read errors.
//
// Throughput is the point of batch mode (bench/iamsim): the input streams
// through recycled buffers; the common line shape is decoded without
// allocating (decodeFast), its strings pointing into the buffer; each
// worker reuses its request, context map and explanation, and renders
// each statement's JSON once.
func runBatch(e *env, f *simulateFlags, in *simInputs, ctx map[string][]string, name string, r io.Reader, readErr func(error) error) error {
	if os.Getenv("GOGC") == "" {
		// The live heap is small but full of pointers (the service
		// reference) and the garbage little (JSON output allocates
		// nothing per line; text output formats with fmt): each
		// collection scans much to free little, with write barriers
		// slowing the workers meanwhile. Collecting 4 times less often
		// measured 8% less CPU when JSON explanations still allocated,
		// for a heap of about 5 times the live one.
		// https://go.dev/doc/gc-guide#GOGC
		defer debug.SetGCPercent(debug.SetGCPercent(400))
	}
	workers := runtime.GOMAXPROCS(0)
	free := make(chan *batchSlot, 2*workers+2)
	for range cap(free) {
		free <- &batchSlot{done: make(chan struct{}, 1)}
	}
	jobs := make(chan *batchSlot, cap(free))
	order := make(chan *batchSlot, cap(free)) // the same slots, in input order
	stop := make(chan struct{})
	defer close(stop)

	go func() {
		defer close(jobs)
		defer close(order)
		send := func(sl *batchSlot) bool {
			select {
			case order <- sl:
			case <-stop:
				return false
			}
			if sl.err == nil {
				jobs <- sl // never blocks: jobs holds every slot
			} else {
				sl.done <- struct{}{}
			}
			return true
		}
		take := func() *batchSlot {
			select {
			case sl := <-free:
				if cap(sl.in) == 0 {
					sl.in = make([]byte, batchChunkBytes)
				}
				sl.in, sl.out = sl.in[:cap(sl.in)], sl.out[:0]
				sl.lines, sl.bad, sl.err = 0, nil, nil
				return sl
			case <-stop:
				return nil
			}
		}
		cur := take()
		n := 0
		for cur != nil {
			m, err := io.ReadFull(r, cur.in[n:])
			n += m
			eof := err == io.EOF || err == io.ErrUnexpectedEOF
			if err != nil && !eof {
				cur.in, cur.err = cur.in[:0], readErr(err)
				send(cur)
				return
			}
			cut := bytes.LastIndexByte(cur.in[:n], '\n') + 1
			switch {
			case eof:
				cut = n
			case cut == 0:
				// One line longer than the buffer: read on into a larger one.
				cur.in = append(cur.in[:n], make([]byte, n)...)
				continue
			}
			var next *batchSlot
			if !eof {
				if next = take(); next == nil {
					return
				}
				next.in = append(next.in[:0], cur.in[cut:n]...)
				n = len(next.in)
				next.in = next.in[:max(cap(next.in), batchChunkBytes)]
			}
			cur.in = cur.in[:cut]
			if cut > 0 && !send(cur) {
				return
			}
			cur = next
		}
	}()

	for range workers {
		w := newBatchWorker(f, ctx, in)
		go func() {
			for sl := range jobs {
				if cap(sl.out) == 0 {
					sl.out = make([]byte, 0, 4*batchChunkBytes)
				}
				// sl.in is not written to while the chunk is decided, so
				// strings may share its memory: line members then cost no
				// copy. Nothing keeps them past the chunk.
				s := unsafe.String(unsafe.SliceData(sl.in), len(sl.in))
				sl.out, sl.lines, sl.bad, sl.err = w.chunk(sl.out[:0], sl.in, s)
				sl.done <- struct{}{}
			}
		}()
	}

	line := 0 // lines before the chunk being written
	for sl := range order {
		<-sl.done
		if _, err := e.stdout.Write(sl.out); err != nil {
			return err
		}
		if sl.err != nil {
			return sl.err
		}
		if sl.bad != nil {
			return badInput(fmt.Errorf("%s:%d:%d: %v", name, line+sl.lines, sl.bad.off+1, sl.bad.err))
		}
		line += sl.lines
		free <- sl
	}
	return nil
}

// engine returns the compiled policy set for principal, compiling it once
// for all workers (and all runs over in).
func (in *simInputs) engine(principal string) (*eval.Engine, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.engines == nil {
		in.engines = map[string]*eval.Engine{}
	}
	// A copy: principal points into an input buffer that will be reused.
	return in.engineFor(strings.Clone(principal), in.engines)
}

// batchWorker holds what one worker reuses from line to line.
type batchWorker struct {
	f   *simulateFlags
	ctx map[string][]string // --context
	in  *simInputs
	// single: the policies do not depend on the principal (no
	// authorization-details export), so one engine serves every line.
	single bool

	rl      requestLine
	ld      *lineDecoder
	req     eval.Request
	res     eval.Result
	ctxMap  map[string][]string
	vals    []string
	text    bytes.Buffer
	scratch []byte

	caller        *eval.Principal
	lastPrincipal string
	last          *workerEngine
	engines       map[string]*workerEngine
}

// workerEngine is an engine with the JSON of its statements, rendered on
// first use and indexed by eval.Match.ID.
type workerEngine struct {
	en    *eval.Engine
	stmts [][]byte
}

func newBatchWorker(f *simulateFlags, ctx map[string][]string, in *simInputs) *batchWorker {
	w := &batchWorker{f: f, ctx: ctx, in: in, single: len(in.accounts) == 0, engines: map[string]*workerEngine{}}
	// JSON output renders the explanation's messages itself; text output
	// prints Result's strings (writeTextDecision).
	w.res.Lazy = f.format == "json"
	return w
}

// chunk decides the lines of one chunk (b and s are the same bytes) and
// appends their decisions to out. It stops at the first bad line.
func (w *batchWorker) chunk(out, b []byte, s string) (_ []byte, lines int, _ *lineError, _ error) {
	for len(s) > 0 {
		n := strings.IndexByte(s, '\n')
		if n < 0 {
			n = len(s)
		}
		lb, ls := b[:n], s[:n]
		if n < len(s) {
			n++
		}
		b, s = b[n:], s[n:]
		lines++
		// bytes.TrimSpace's Unicode white space, as before the fast path.
		orig := ls
		if ls = strings.TrimSpace(orig); len(ls) == 0 {
			continue
		}
		lead := 0
		if len(ls) != len(orig) {
			lead = len(orig) - len(strings.TrimLeftFunc(orig, unicode.IsSpace))
		}
		var err error
		out, err = w.line(out, lb[lead:lead+len(ls)], ls)
		if err != nil {
			var le *lineError
			if errors.As(err, &le) {
				return out, lines, &lineError{le.off + lead, le.err}, nil
			}
			return out, lines, nil, err
		}
	}
	return out, lines, nil, nil
}

var errNoPrincipalAction = errors.New(`expected "principal" (or --principal) and "action"`)

// line decides one non-blank line.
func (w *batchWorker) line(out, b []byte, s string) ([]byte, error) {
	rl := &w.rl
	rl.reset()
	if !decodeFast(s, rl) {
		rl.reset()
		if w.ld == nil {
			w.ld = newLineDecoder()
		}
		if err := w.ld.decode(b, rl); err != nil {
			le := err.(*lineError)
			return out, &lineError{le.off, fmt.Errorf(`expected a JSON object {"principal","action","resource","resourceAccount","context"}: %v`, le.err)}
		}
	}
	req := &w.req
	*req = eval.Request{Principal: rl.Principal, Action: rl.Action, Resource: rl.Resource, ResourceAccount: rl.ResourceAccount, Context: w.ctx}
	principalPlain := rl.plain
	if req.Principal == "" {
		req.Principal, principalPlain = w.f.principal, false
	}
	if req.Resource == "" {
		req.Resource = "*"
	}
	if req.Principal == "" || req.Action == "" {
		return out, &lineError{0, errNoPrincipalAction}
	}
	if len(rl.Context) > 0 {
		if w.ctxMap == nil {
			w.ctxMap = make(map[string][]string, len(w.ctx)+len(rl.Context))
		}
		clear(w.ctxMap)
		for k, v := range w.ctx {
			w.ctxMap[k] = v
		}
		w.vals = w.vals[:0]
		for _, c := range rl.Context {
			vals := c.vals
			if vals == nil {
				w.vals = append(w.vals, c.val)
				vals = w.vals[len(w.vals)-1 : len(w.vals) : len(w.vals)]
			}
			w.ctxMap[c.key] = vals
		}
		req.Context = w.ctxMap
	}
	we, err := w.engine(req.Principal)
	if err != nil {
		return out, err
	}
	// Lines usually share their principal: parse it once, from a copy
	// (req.Principal points into an input buffer that will be reused).
	if w.caller == nil || w.caller.String() != req.Principal {
		w.caller = eval.ParsePrincipal(strings.Clone(req.Principal))
	}
	req.Caller = w.caller
	return w.appendDecision(out, we, principalPlain, rl.plain), nil
}

// engine returns the engine for principal, from the worker's own cache
// first: consecutive lines usually share their principal.
func (w *batchWorker) engine(principal string) (*workerEngine, error) {
	if w.last != nil && (w.single || principal == w.lastPrincipal) {
		return w.last, nil
	}
	// Copies: principal points into an input buffer that will be reused.
	principal = strings.Clone(principal)
	we, ok := w.engines[principal]
	if !ok {
		en, err := w.in.engine(principal)
		if err != nil {
			return nil, err
		}
		// Engines are shared by principals without an export; so is
		// their rendered JSON.
		for _, o := range w.engines {
			if o.en == en {
				we = o
			}
		}
		if we == nil {
			we = &workerEngine{en: en, stmts: make([][]byte, en.Statements())}
		}
		w.engines[principal] = we
	}
	w.last, w.lastPrincipal = we, principal
	return we, nil
}

// appendDecision writes one decision as a JSON line (--format json) or a
// text block, without reflection. principalPlain and plain say the
// principal, and the action and resource, need no JSON escaping.
func (w *batchWorker) appendDecision(out []byte, we *workerEngine, principalPlain, plain bool) []byte {
	req, f, en := &w.req, w.f, we.en
	if f.format != "json" {
		b := &w.text
		b.Reset()
		if f.explain {
			en.ExplainInto(req, &w.res)
			writeTextDecision(b, req, &w.res)
		} else {
			fmt.Fprintf(b, "%s %s on %s\n", en.Evaluate(req), req.Action, req.Resource)
		}
		return append(out, b.Bytes()...)
	}
	if !f.explain {
		out = appendHead(out, req, en.Evaluate(req), eval.GateNone, principalPlain, plain)
		return append(out, "}\n"...)
	}
	r := &w.res
	en.ExplainInto(req, r)
	out = appendHead(out, req, r.Decision, r.Gate, principalPlain, plain)
	out = append(out, `,"explanation":{"statements":[`...)
	for i := range r.Matches {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, we.statement(&r.Matches[i])...)
		out = append(out, '}')
	}
	out = append(out, ']')
	if n := r.MissingCount(); n > 0 {
		out = append(out, `,"missing":[`...)
		for i := range n {
			if i > 0 {
				out = append(out, ',')
			}
			start := len(out) + 1
			out = w.closeQuote(r.AppendMissing(append(out, '"'), i), start)
		}
		out = append(out, ']')
	}
	if len(r.NearMisses) > 0 {
		out = append(out, `,"nearMisses":[`...)
		for i := range r.NearMisses {
			n := &r.NearMisses[i]
			if i > 0 {
				out = append(out, ',')
			}
			out = append(out, we.statement(&n.Match)...)
			start := len(out) + len(`,"reason":"`)
			out = w.closeQuote(r.AppendReason(append(out, `,"reason":"`...), i), start)
			out = append(out, '}')
		}
		out = append(out, ']')
	}
	return append(out, "}}\n"...)
}

// statement returns m's statement object without its closing brace,
// rendered once per engine.
func (we *workerEngine) statement(m *eval.Match) []byte {
	if m.ID >= 0 && m.ID < len(we.stmts) {
		if s := we.stmts[m.ID]; s != nil {
			return s
		}
		we.stmts[m.ID] = appendStatement(nil, m)
		return we.stmts[m.ID]
	}
	return appendStatement(nil, m)
}

func appendHead(out []byte, req *eval.Request, d eval.Decision, g eval.Gate, principalPlain, plain bool) []byte {
	out = append(out, `{"principal":`...)
	out = quoteIf(out, req.Principal, principalPlain)
	out = append(out, `,"action":`...)
	out = quoteIf(out, req.Action, plain)
	out = append(out, `,"resource":`...)
	out = quoteIf(out, req.Resource, plain || req.Resource == "*")
	out = append(out, `,"decision":"`...)
	out = append(out, d.String()...)
	out = append(out, '"')
	if g != eval.GateNone {
		out = append(out, `,"gate":"`...)
		out = append(out, g.String()...)
		out = append(out, '"')
	}
	return out
}

// appendStatement writes a statement object without its closing brace.
func appendStatement(out []byte, m *eval.Match) []byte {
	out = append(out, `{"policy":`...)
	out = quote(out, m.Policy)
	out = append(out, `,"type":"`...)
	out = append(out, m.Type.String()...)
	out = append(out, `","statement":`...)
	out = quote(out, m.Statement)
	out = append(out, `,"effect":"`...)
	if m.Effect == policy.Deny {
		out = append(out, "Deny"...)
	} else {
		out = append(out, "Allow"...)
	}
	out = append(out, `","location":`...)
	return quote(out, m.Range.String())
}

// closeQuote ends the JSON string whose text was appended raw to out from
// start, after an opening quote: explanation messages are rendered
// straight into the output (eval.Result.Lazy) and escaped only if needed.
func (w *batchWorker) closeQuote(out []byte, start int) []byte {
	if !needsEscape(out[start:]) {
		return append(out, '"')
	}
	w.scratch = append(w.scratch[:0], out[start:]...)
	// Invalid UTF-8 is replaced, which is what JSON output needs.
	out, _ = jsontext.AppendQuote(out[:start-1], w.scratch)
	return out
}

// needsEscape reports whether b holds a byte JSON output escapes (or
// may: non-ASCII is left to jsontext.AppendQuote).
func needsEscape[B ~[]byte | ~string](b B) bool {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		if specialMask(load64(b, i)) != 0 {
			return true
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return true
		}
	}
	return false
}

// quoteIf quotes s, which needs no escaping when plain.
func quoteIf(out []byte, s string, plain bool) []byte {
	if plain {
		out = append(out, '"')
		out = append(out, s...)
		return append(out, '"')
	}
	return quote(out, s)
}

// quote writes s as a JSON string as jsontext.AppendQuote does, copying
// printable ASCII without escapes directly: AppendQuote writes such
// strings unchanged between quotes.
func quote(out []byte, s string) []byte {
	if needsEscape(s) {
		// Invalid UTF-8 is replaced, which is what JSON output needs.
		out, _ = jsontext.AppendQuote(out, s)
		return out
	}
	return quoteIf(out, s, true)
}
