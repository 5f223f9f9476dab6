// Package source holds the positions and diagnostics that tie every value
// execrole reads back to the line and column of the user's file.
package source

import (
	"fmt"
	"sort"
	"strings"
)

// Pos is a position in a file. Line and Column count from 1; Column counts
// bytes. Offset is the byte offset from the start of the file, from 0.
type Pos struct {
	Line, Column, Offset int
}

// IsValid reports whether p names a real position.
func (p Pos) IsValid() bool { return p.Line > 0 }

// Range is the span [Start, End) of a file.
type Range struct {
	File       string
	Start, End Pos
}

// String renders r as "file:line:column", the form editors and CI logs link.
func (r Range) String() string {
	switch {
	case r.File == "" && !r.Start.IsValid():
		return "-"
	case !r.Start.IsValid():
		return r.File
	case r.File == "":
		return fmt.Sprintf("%d:%d", r.Start.Line, r.Start.Column)
	}
	return fmt.Sprintf("%s:%d:%d", r.File, r.Start.Line, r.Start.Column)
}

// Severity grades a diagnostic.
type Severity int

// Severities, most severe first.
const (
	Error Severity = iota
	Warning
)

func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// Diagnostic is one problem found in an input: where it is and what was
// expected there.
type Diagnostic struct {
	Severity Severity
	Range    Range
	Summary  string
}

func (d *Diagnostic) Error() string {
	if d.Severity == Warning {
		return d.Range.String() + ": warning: " + d.Summary
	}
	return d.Range.String() + ": " + d.Summary
}

// Diagnostics is a list of problems. It implements error so that parsers can
// report every problem at once rather than stopping at the first.
type Diagnostics []*Diagnostic

// Errorf appends an error-level diagnostic at r.
func (ds *Diagnostics) Errorf(r Range, format string, args ...any) {
	*ds = append(*ds, &Diagnostic{Severity: Error, Range: r, Summary: fmt.Sprintf(format, args...)})
}

// Warnf appends a warning at r.
func (ds *Diagnostics) Warnf(r Range, format string, args ...any) {
	*ds = append(*ds, &Diagnostic{Severity: Warning, Range: r, Summary: fmt.Sprintf(format, args...)})
}

// HasErrors reports whether any diagnostic is error level.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// Errs returns only the error-level diagnostics, or nil when there are none,
// so that callers can write `if err := ds.Errs(); err != nil`.
func (ds Diagnostics) Errs() error {
	var out Diagnostics
	for _, d := range ds {
		if d.Severity == Error {
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// Sort orders ds by file and position.
func (ds Diagnostics) Sort() {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i].Range, ds[j].Range
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Start.Offset < b.Start.Offset
	})
}

func (ds Diagnostics) Error() string {
	var b strings.Builder
	for i, d := range ds {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(d.Error())
	}
	return b.String()
}

// Lines maps byte offsets of one file to line and column numbers.
type Lines struct {
	file   string
	starts []int // byte offset at which each line starts
}

// NewLines indexes the line starts of src.
func NewLines(file string, src []byte) *Lines {
	starts := []int{0}
	for i, c := range src {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return &Lines{file: file, starts: starts}
}

// File is the name the positions are reported under.
func (l *Lines) File() string { return l.file }

// Pos converts a byte offset to a position.
func (l *Lines) Pos(offset int) Pos {
	i := sort.Search(len(l.starts), func(i int) bool { return l.starts[i] > offset }) - 1
	if i < 0 {
		i = 0
	}
	return Pos{Line: i + 1, Column: offset - l.starts[i] + 1, Offset: offset}
}

// Range converts the byte span [start, end) to a range.
func (l *Lines) Range(start, end int) Range {
	return Range{File: l.file, Start: l.Pos(start), End: l.Pos(end)}
}
