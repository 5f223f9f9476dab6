package cloudtrail_test

import (
	"strings"
	"testing"
	"time"

	"github.com/execrole/execrole/internal/cloudtrail"
)

// TestAthenaSQL checks the query against the documented table
// (https://docs.aws.amazon.com/athena/latest/ug/create-cloudtrail-table-partition-projection.html):
// partition bounds widened by a day for delivery delay, exact eventtime
// bounds, role selection, and quoting.
func TestAthenaSQL(t *testing.T) {
	since := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	until := time.Date(2025, 5, 31, 23, 59, 59, 0, time.UTC)
	tests := []struct {
		name   string
		f      cloudtrail.Filter
		want   []string
		absent []string
	}{
		{"arn and name", cloudtrail.Filter{Roles: []string{"arn:aws:iam::1:role/ecsTaskExecutionRole", "o'brien"}, Since: since, Until: until},
			[]string{
				`"timestamp" >= '2025/02/28'`, `"timestamp" <= '2025/06/01'`,
				"eventtime >= '2025-03-01T00:00:00Z'", "eventtime <= '2025-05-31T23:59:59Z'",
				"sessionissuer.arn IN ('arn:aws:iam::1:role/ecsTaskExecutionRole')",
				"sessionissuer.username IN ('o''brien')",
				"FROM cloudtrail_logs_pp", "LEFT JOIN UNNEST(resources) AS t(r) ON true",
				"GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9",
			},
			[]string{"ecs-tasks.amazonaws.com"}},
		{"no roles: those ECS assumed", cloudtrail.Filter{Since: since},
			[]string{"useridentity.invokedby = 'ecs-tasks.amazonaws.com'", "json_extract_scalar(requestparameters, '$.roleArn')"},
			[]string{`"timestamp" <=`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := cloudtrail.AthenaSQL("cloudtrail_logs_pp", tc.f)
			for _, w := range tc.want {
				if !strings.Contains(q, w) {
					t.Errorf("query lacks %q:\n%s", w, q)
				}
			}
			for _, w := range tc.absent {
				if strings.Contains(q, w) {
					t.Errorf("query has %q:\n%s", w, q)
				}
			}
			if strings.Count(q, "(") != strings.Count(q, ")") {
				t.Errorf("unbalanced parentheses:\n%s", q)
			}
		})
	}
}
