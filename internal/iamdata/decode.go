package iamdata

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
)

// The embedded file is written by internal/gen. Layout (all integers are
// unsigned varints, every string is an index into the string table):
//
//	"IAMDATA1"
//	nStrings, len(s0) ... len(sN-1), bytes of s0 ... sN-1
//	nServices, then per service:
//	  prefix, name
//	  nActions, per action: name, accessLevel,
//	    nResourceTypes, per ref: name, required(0|1), nKeys, keys...
//	    nKeys, keys...
//	  nResourceTypes, per type: key, arnTemplate, nKeys, keys...
//	  nConditionKeys, per key: key, type
//	nRCPServices, prefixes...
//
//go:embed iamdata.bin.gz
var embedded []byte

const magic = "IAMDATA1"

// db is the decoded data set; it is built once and then read-only.
type db struct {
	services []*Service
	byPrefix map[string]*Service // lower-case prefix
	actions  map[string]*Action  // lower-case "service:action"
	// all holds every action in service then name order, for glob expansion.
	all      []*Action
	condKeys map[string]string // lower-case exact key -> type
	// condPatterns are keys containing ${...} such as aws:ResourceTag/${TagKey}.
	condPatterns []conditionPattern
	rcp          map[string]bool
}

type conditionPattern struct {
	key, typ string
	glob     string // key with each ${...} replaced by "?*"
}

var (
	loadOnce sync.Once
	loaded   *db
	loadErr  error
)

// data returns the decoded data set. The embedded file is generated and
// covered by tests, so a decode failure is a build defect: it panics.
func data() *db {
	loadOnce.Do(func() { loaded, loadErr = decode(embedded) })
	if loadErr != nil {
		panic("iamdata: corrupt embedded data: " + loadErr.Error())
	}
	return loaded
}

var errCorrupt = errors.New("truncated or malformed data")

type reader struct {
	b     []byte
	table []string
	err   error
}

func (r *reader) uint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errCorrupt
		return 0
	}
	r.b = r.b[n:]
	return v
}

// count reads a length and bounds it by the remaining input so corrupt
// input cannot trigger huge allocations.
func (r *reader) count() int {
	v := r.uint()
	if v > uint64(len(r.b)) {
		r.err = errCorrupt
		return 0
	}
	return int(v)
}

func (r *reader) str() string {
	i := r.uint()
	if i >= uint64(len(r.table)) {
		if r.err == nil {
			r.err = errCorrupt
		}
		return ""
	}
	return r.table[i]
}

func (r *reader) strs() []string {
	n := r.count()
	if n == 0 {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = r.str()
	}
	return out
}

func decode(gz []byte) (*db, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	if !bytes.HasPrefix(raw, []byte(magic)) {
		return nil, fmt.Errorf("missing %q header", magic)
	}
	r := &reader{b: raw[len(magic):]}
	nStr := r.count()
	lens := make([]int, nStr)
	total := 0
	for i := range lens {
		lens[i] = int(r.uint())
		total += lens[i]
	}
	if r.err != nil || total > len(r.b) {
		return nil, errCorrupt
	}
	// One string holds every table entry; entries are substrings of it.
	all := string(r.b[:total])
	r.b = r.b[total:]
	r.table = make([]string, nStr)
	off := 0
	for i, n := range lens {
		r.table[i] = all[off : off+n]
		off += n
	}

	d := &db{
		byPrefix: map[string]*Service{},
		condKeys: map[string]string{},
		rcp:      map[string]bool{},
	}
	nSvc := r.count()
	d.services = make([]*Service, nSvc)
	svcs := make([]Service, nSvc)
	seenPattern := map[string]bool{}
	addKey := func(ck ConditionKey) {
		lk := strings.ToLower(ck.Key)
		if !strings.Contains(ck.Key, "${") {
			if _, dup := d.condKeys[lk]; !dup {
				d.condKeys[lk] = ck.Type
			}
			return
		}
		if g, ok := templateGlob(ck.Key); ok && !seenPattern[lk] {
			seenPattern[lk] = true
			d.condPatterns = append(d.condPatterns, conditionPattern{key: ck.Key, typ: ck.Type, glob: g})
		}
	}
	// Global keys first: their documented types win over a service's copy.
	for _, ck := range globalKeys {
		addKey(ck)
	}
	for i := range svcs {
		s := &svcs[i]
		d.services[i] = s
		s.Prefix = r.str()
		s.Name = r.str()
		acts := make([]Action, r.count())
		s.Actions = make([]*Action, len(acts))
		for j := range acts {
			a := &acts[j]
			s.Actions[j] = a
			a.Service = s.Prefix
			a.Name = r.str()
			a.AccessLevel = r.str()
			if n := r.count(); n > 0 {
				a.ResourceTypes = make([]ResourceTypeRef, n)
				for k := range a.ResourceTypes {
					a.ResourceTypes[k] = ResourceTypeRef{Name: r.str(), Required: r.uint() == 1, ConditionKeys: r.strs()}
				}
			}
			a.ConditionKeys = r.strs()
		}
		rts := make([]ResourceTypeInfo, r.count())
		s.ResourceTypes = make([]*ResourceTypeInfo, len(rts))
		for j := range rts {
			rt := &rts[j]
			s.ResourceTypes[j] = rt
			rt.Service = s.Prefix
			rt.Name = r.str()
			rt.ARN = r.str()
			rt.ConditionKeys = r.strs()
		}
		s.ConditionKeys = make([]ConditionKey, r.count())
		for j := range s.ConditionKeys {
			s.ConditionKeys[j] = ConditionKey{Key: r.str(), Type: r.str()}
		}
		if r.err != nil {
			return nil, r.err
		}
	}
	for _, x := range r.strs() {
		d.rcp[x] = true
	}
	if r.err != nil {
		return nil, r.err
	}
	if len(r.b) != 0 {
		return nil, fmt.Errorf("%d trailing bytes", len(r.b))
	}

	nAct := 0
	for _, s := range d.services {
		nAct += len(s.Actions)
	}
	d.actions = make(map[string]*Action, nAct)
	d.all = make([]*Action, 0, nAct)
	for _, s := range d.services {
		lp := strings.ToLower(s.Prefix)
		d.byPrefix[lp] = s
		s.byName = make(map[string]*Action, len(s.Actions))
		for _, a := range s.Actions {
			ln := strings.ToLower(a.Name)
			a.full = s.Prefix + ":" + a.Name
			s.byName[ln] = a
			d.actions[lp+":"+ln] = a
			d.all = append(d.all, a)
		}
		s.byType = make(map[string]*ResourceTypeInfo, len(s.ResourceTypes))
		for _, rt := range s.ResourceTypes {
			s.byType[strings.ToLower(rt.Name)] = rt
		}
		for _, ck := range s.ConditionKeys {
			addKey(ck)
		}
	}
	return d, nil
}
