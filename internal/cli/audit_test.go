package cli

import (
	"testing"
	"time"
)

func TestParseWhen(t *testing.T) {
	now := time.Date(2025, 3, 8, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in    string
		upper bool
		want  time.Time
		bad   bool
	}{
		{in: "", want: time.Time{}},
		{in: "2025-03-01T10:00:00Z", want: time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)},
		{in: "2025-03-01T10:00:00+02:00", want: time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)},
		{in: "2025-03-01", want: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)},
		{in: "2025-03-01", upper: true, want: time.Date(2025, 3, 1, 23, 59, 59, 0, time.UTC)},
		{in: "7d", want: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)},
		{in: "24h", want: time.Date(2025, 3, 7, 12, 0, 0, 0, time.UTC)},
		{in: "1h30m", want: time.Date(2025, 3, 8, 10, 30, 0, 0, time.UTC)},
		{in: "yesterday", bad: true},
		{in: "-7d", bad: true},
		{in: "0d", bad: true},
		{in: "-1h", bad: true},
		{in: "2025-13-01", bad: true},
		{in: "99999999999999d", bad: true},
		{in: "d", bad: true},
	} {
		got, err := parseWhen("--since", tc.in, now, tc.upper)
		if (err != nil) != tc.bad {
			t.Errorf("parseWhen(%q) error = %v, want bad=%v", tc.in, err, tc.bad)
			continue
		}
		if !tc.bad && !got.Equal(tc.want) {
			t.Errorf("parseWhen(%q, upper=%v) = %s, want %s", tc.in, tc.upper, got, tc.want)
		}
	}
}

// FuzzParseWhen: never panics; an accepted value is never after now for an
// age, and an error always carries the flag name.
func FuzzParseWhen(f *testing.F) {
	for _, s := range []string{"7d", "24h", "2025-03-01", "2025-03-01T10:00:00Z", "1h30m", "-1d", "9223372036854775807d", "1e9h"} {
		f.Add(s)
	}
	now := time.Date(2025, 3, 8, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseWhen("--since", s, now, false)
		if err != nil {
			if got != (time.Time{}) {
				t.Errorf("error with a time: %v", got)
			}
			return
		}
		if _, ok := parseAge(s); ok && !got.Before(now) {
			t.Errorf("age %q gave %s, not before now", s, got)
		}
	})
}
