package taskdef

import (
	"strings"

	"github.com/execrole/execrole/internal/arn"
)

// Placeholders for where the task runs when nothing says.
const (
	RegionPlaceholder    = "${Region}"
	AccountPlaceholder   = "${AccountId}"
	PartitionPlaceholder = "${Partition}"
)

// place fills Region, Account and Partition. The task definition ARN
// names all three. The execution role's ARN names the account: ECS needs
// iam:PassRole on it, which does not cross accounts
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html).
// Image URIs are not evidence: tasks pull from other accounts' and
// regions' ECR repositories (aws-for-fluent-bit from 906394416424), and
// awslogs-region may name another region than the task's.
func place(td *TaskDefinition, opts Options) {
	var region, account, partition Str
	if a, ok := splitARN(td.ARN); ok {
		region, account, partition = a[3], a[4], a[1]
	}
	if a, ok := splitARN(td.ExecutionRoleArn); ok && a[2].Text == "iam" {
		if account.Text == "" {
			account = a[4]
		}
		if partition.Text == "" {
			partition = a[1]
		}
	}
	pick := func(s Str, flag, placeholder, name string) Str {
		switch {
		case s.Text != "":
			return s
		case flag != "":
			return Str{Text: flag, Path: name}
		}
		return Str{Text: placeholder, Unknown: true}
	}
	td.Region = pick(region, opts.Region, RegionPlaceholder, "--region")
	td.Account = pick(account, opts.Account, AccountPlaceholder, "--account")
	p := opts.Partition
	if p == "" && opts.Region != "" {
		p = arn.PartitionOf(opts.Region)
	}
	td.Partition = pick(partition, p, PartitionPlaceholder, "--partition")
}

// splitARN returns the six ARN fields as Strs sharing s's path and range,
// keeping only literal, well-formed fields (no placeholders).
func splitARN(s Str) ([6]Str, bool) {
	var out [6]Str
	if !strings.HasPrefix(s.Text, "arn:") {
		return out, false
	}
	f := strings.SplitN(s.Text, ":", 6)
	if len(f) != 6 {
		return out, false
	}
	for i, t := range f {
		if strings.ContainsAny(t, "${}") {
			t = ""
		}
		out[i] = Str{Text: t, Path: s.Path, Range: s.Range}
	}
	if out[4].Text != "" && !isAccount(out[4].Text) {
		out[4].Text = ""
	}
	return out, true
}

func isAccount(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
