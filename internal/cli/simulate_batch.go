package cli

import (
	"bytes"
	"fmt"
	"runtime"
	"sync"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/execrole/execrole/internal/eval"
	"github.com/execrole/execrole/internal/policy"
)

// batchChunk is how many request lines one worker decides at a time; large
// enough to amortise scheduling, small enough to keep output streaming.
const batchChunk = 2048

// runBatch decides every line of a --requests file. Lines are decided in
// parallel, in chunks, and written in input order. The first bad line ends
// the run (exit 2) after the decisions before it are written.
func runBatch(e *env, f *simulateFlags, in *simInputs, ctx map[string][]string, name string, src []byte) error {
	type line struct {
		no   int
		text []byte
	}
	var lines []line
	for no := 1; len(src) > 0; no++ {
		i := bytes.IndexByte(src, '\n')
		var l []byte
		if i < 0 {
			l, src = src, nil
		} else {
			l, src = src[:i], src[i+1:]
		}
		if l = bytes.TrimSpace(l); len(l) > 0 {
			lines = append(lines, line{no, l})
		}
	}

	var mu sync.Mutex // guards the engine cache, which compiles on first use
	cache := map[string]*eval.Engine{}
	engine := func(principal string) (*eval.Engine, error) {
		mu.Lock()
		defer mu.Unlock()
		return in.engineFor(principal, cache)
	}

	decide := func(ls []line) ([]byte, error) {
		var out []byte
		var rl requestLine
		ld := newLineDecoder()
		for _, l := range ls {
			rl = requestLine{}
			if err := ld.decode(l.text, &rl); err != nil {
				return out, badInput(fmt.Errorf("%s:%d:1: expected a JSON object {\"principal\",\"action\",\"resource\",\"resourceAccount\",\"context\"}: %v", name, l.no, err))
			}
			req := &eval.Request{Principal: rl.Principal, Action: rl.Action, Resource: rl.Resource, ResourceAccount: rl.ResourceAccount, Context: ctx}
			if req.Principal == "" {
				req.Principal = f.principal
			}
			if req.Resource == "" {
				req.Resource = "*"
			}
			if req.Principal == "" || req.Action == "" {
				return out, badInput(fmt.Errorf("%s:%d:1: expected \"principal\" (or --principal) and \"action\"", name, l.no))
			}
			if len(rl.Context) > 0 {
				merged := make(map[string][]string, len(ctx)+len(rl.Context))
				for k, v := range ctx {
					merged[k] = v
				}
				for k, v := range rl.Context {
					vals, ok := contextValues(v)
					if !ok {
						return out, badInput(fmt.Errorf("%s:%d:1: context key %q: expected a string, number, boolean or a list of them", name, l.no, k))
					}
					merged[k] = vals
				}
				req.Context = merged
			}
			en, err := engine(req.Principal)
			if err != nil {
				return out, err
			}
			out = appendDecision(out, f, req, en)
		}
		return out, nil
	}

	// Workers take chunks in order; results are written in the same order.
	n := (len(lines) + batchChunk - 1) / batchChunk
	type result struct {
		out []byte
		err error
	}
	results := make([]chan result, n)
	for i := range results {
		results[i] = make(chan result, 1)
	}
	next := make(chan int)
	go func() {
		for i := 0; i < n; i++ {
			next <- i
		}
		close(next)
	}()
	workers := runtime.GOMAXPROCS(0)
	for w := 0; w < workers; w++ {
		go func() {
			for i := range next {
				hi := min((i+1)*batchChunk, len(lines))
				out, err := decide(lines[i*batchChunk : hi])
				results[i] <- result{out, err}
			}
		}()
	}
	for i := 0; i < n; i++ {
		r := <-results[i]
		if _, err := e.stdout.Write(r.out); err != nil {
			drain(results[i+1:])
			return err
		}
		if r.err != nil {
			drain(results[i+1:])
			return r.err
		}
	}
	return nil
}

// drain lets the remaining workers finish so none blocks forever.
func drain[T any](rest []chan T) {
	go func() {
		for _, c := range rest {
			<-c
		}
	}()
}

// appendDecision writes one decision as a JSON line (--format json) or a
// text block, without reflection: batch mode is where throughput matters.
func appendDecision(out []byte, f *simulateFlags, req *eval.Request, en *eval.Engine) []byte {
	if f.format != "json" {
		var b bytes.Buffer
		if f.explain {
			writeTextDecision(&b, req, en.Explain(req))
		} else {
			fmt.Fprintf(&b, "%s %s on %s\n", en.Evaluate(req), req.Action, req.Resource)
		}
		return append(out, b.Bytes()...)
	}
	if !f.explain {
		out = appendHead(out, req, en.Evaluate(req), eval.GateNone)
		return append(out, "}\n"...)
	}
	r := en.Explain(req)
	out = appendHead(out, req, r.Decision, r.Gate)
	out = append(out, `,"explanation":{"statements":[`...)
	for i, m := range r.Matches {
		if i > 0 {
			out = append(out, ',')
		}
		out = appendStatement(out, m)
		out = append(out, '}')
	}
	out = append(out, ']')
	if len(r.Missing) > 0 {
		out = append(out, `,"missing":[`...)
		for i, m := range r.Missing {
			if i > 0 {
				out = append(out, ',')
			}
			out = quote(out, m)
		}
		out = append(out, ']')
	}
	if len(r.NearMisses) > 0 {
		out = append(out, `,"nearMisses":[`...)
		for i, n := range r.NearMisses {
			if i > 0 {
				out = append(out, ',')
			}
			out = appendStatement(out, n.Match)
			out = append(out, `,"reason":`...)
			out = quote(out, n.Reason)
			out = append(out, '}')
		}
		out = append(out, ']')
	}
	return append(out, "}}\n"...)
}

func appendHead(out []byte, req *eval.Request, d eval.Decision, g eval.Gate) []byte {
	out = append(out, `{"principal":`...)
	out = quote(out, req.Principal)
	out = append(out, `,"action":`...)
	out = quote(out, req.Action)
	out = append(out, `,"resource":`...)
	out = quote(out, req.Resource)
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
func appendStatement(out []byte, m eval.Match) []byte {
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

func quote(out []byte, s string) []byte {
	// Invalid UTF-8 is replaced, which is what JSON output needs.
	out, _ = jsontext.AppendQuote(out, s)
	return out
}
