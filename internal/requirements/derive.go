package requirements

import (
	"sort"
	"strings"

	"github.com/execrole/execrole/internal/arn"

	"github.com/execrole/execrole/internal/source"
)

// Launch types as ECS spells them in requiresCompatibilities and RunTask.
const (
	Fargate          = "FARGATE"
	EC2              = "EC2"
	External         = "EXTERNAL"
	ManagedInstances = "MANAGED_INSTANCES"
)

// Placeholders stand for values the input does not say. They use the form
// rolegen.Role.ARN documents, so that renderers can substitute them (for
// instance with CloudFormation pseudo parameters).
const (
	AccountPlaceholder = "${AccountId}"
	RegionPlaceholder  = "${Region}"
)

// Options says what the task definition alone does not: where the task
// runs, how the EC2 agent is configured, and which KMS keys protect secrets.
// The zero value is usable: unknown account and region become placeholders.
type Options struct {
	// LaunchType is FARGATE, EC2, EXTERNAL or MANAGED_INSTANCES. "" picks
	// FARGATE when requiresCompatibilities lists it, else EC2 when it lists
	// EC2, else FARGATE.
	LaunchType string
	// AWSLogsExecutionRoleOverride is the EC2 agent's
	// ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE; nil means its documented
	// default, true, which ecs-init sets (ecs-init/docker/docker_config.go).
	// When false, awslogs on EC2 writes with the instance role.
	AWSLogsExecutionRoleOverride *bool
	// ECRPullWithInstanceRole makes EC2 tasks pull ECR images with the
	// instance role even when they have an execution role, as the ECR guide
	// (ECR_on_ECS.html) says. By default execrole follows the agent, which
	// pulls with the execution role when the task has one
	// (agent/api/container/container.go ShouldPullWithExecutionRole).
	ECRPullWithInstanceRole bool
	// KMSKeys maps a secret reference to the customer managed key that
	// encrypts it. The reference is a valueFrom or credentialsParameter as
	// written, or its resolved parameter or secret ARN. Secrets without an
	// entry are assumed to use the AWS managed key (aws/ssm,
	// aws/secretsmanager), which needs no permission in the same account.
	KMSKeys map[string]string
	// PullThroughCachePrefixes are the ECR pull-through cache rule prefixes
	// of the image accounts (e.g. "docker-hub"); images under them also
	// need ecr:BatchImportUpstreamImage and ecr:CreateRepository.
	PullThroughCachePrefixes []string
	// ExecuteCommand says the service or RunTask sets
	// enableExecuteCommand, which needs ssmmessages on the task role.
	ExecuteCommand bool
	// Region, Account and Partition are where the task runs. Partition
	// defaults from Region ("aws" when both are empty).
	Region, Account, Partition string
}

// deriver collects requirements for one task definition.
type deriver struct {
	opts        Options
	launchType  string
	partition   string
	region      string // task region or RegionPlaceholder
	account     string // task account or AccountPlaceholder
	hasExecRole bool
	reqs        []Requirement
	diags       source.Diagnostics
	kmsUsed     map[string]bool
}

// val is one scalar of the input with where it came from.
type val struct {
	Text    string
	Path    string
	Range   source.Range
	Unknown bool
}

func newDeriver(opts Options, compat []string, hasExecRole bool) *deriver {
	d := &deriver{opts: opts, hasExecRole: hasExecRole, kmsUsed: map[string]bool{}}
	d.launchType = strings.ToUpper(opts.LaunchType)
	if d.launchType == "" {
		d.launchType = Fargate
		has := map[string]bool{}
		for _, c := range compat {
			has[strings.ToUpper(c)] = true
		}
		if !has[Fargate] && has[EC2] {
			d.launchType = EC2
		} else if !has[Fargate] && has[External] {
			d.launchType = External
		} else if !has[Fargate] && has[ManagedInstances] {
			d.launchType = ManagedInstances
		}
	}
	d.region, d.account = opts.Region, opts.Account
	if d.region == "" {
		d.region = RegionPlaceholder
	}
	if d.account == "" {
		d.account = AccountPlaceholder
	}
	d.partition = opts.Partition
	if d.partition == "" {
		d.partition = arn.PartitionOf(opts.Region)
	}
	return d
}

// add appends r, filling in what every requirement shares.
func (d *deriver) add(r Requirement, at val) {
	r.Path = at.Path
	r.Range = at.Range
	if at.Range.Start.IsValid() {
		r.Location = at.Range.String()
	}
	if r.Sample == "" {
		r.Sample = r.Resource
	}
	if strings.Contains(r.Resource, "${") {
		r.Placeholder = true
		for _, p := range placeholdersIn(r.Resource) {
			r.Notes = append(r.Notes, d.placeholderNote(p))
		}
	}
	if at.Unknown || templated(strings.ReplaceAll(strings.ReplaceAll(r.Resource, AccountPlaceholder, ""), RegionPlaceholder, "")) {
		r.Placeholder = true
		r.Notes = append(r.Notes, "the input value at "+at.Path+" is an unresolved template; the resource shows it as written")
	}
	if r.ResourceAccount != "" && d.opts.Account != "" && r.ResourceAccount != d.opts.Account &&
		!templated(r.ResourceAccount) {
		r.CrossAccount = true
	}
	d.reqs = append(d.reqs, r)
}

func placeholdersIn(s string) []string {
	var out []string
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			return out
		}
		j := strings.Index(s[i:], "}")
		if j < 0 {
			return out
		}
		p := s[i : i+j+1]
		dup := false
		for _, o := range out {
			dup = dup || o == p
		}
		if !dup {
			out = append(out, p)
		}
		s = s[i+j+1:]
	}
}

// placeholderNote explains one placeholder of a resource. ${Account} and
// ${Region} stand for the task's account and region only when the options
// do not give them; otherwise the input wrote them itself.
func (d *deriver) placeholderNote(p string) string {
	switch {
	case p == AccountPlaceholder && d.opts.Account == "":
		return "resource depends on the task's account, unknown here (pass --account)"
	case p == RegionPlaceholder && d.opts.Region == "":
		return "resource depends on the task's region, unknown here (pass --region)"
	}
	return "resource depends on " + p + ", which the input does not resolve"
}

// finish orders requirements by step, then path (in document order), keeping
// the order in which a field's requirements were derived, and drops exact
// duplicates (the same permission from the same field).
func (d *deriver) finish() []Requirement {
	sort.SliceStable(d.reqs, func(i, j int) bool {
		a, b := &d.reqs[i], &d.reqs[j]
		if a.Step != b.Step {
			return a.Step < b.Step
		}
		return pathLess(a.Path, b.Path)
	})
	out := d.reqs[:0]
	seen := map[string]bool{}
	for i := range d.reqs {
		k := d.reqs[i].Path + "\x00" + d.reqs[i].Key()
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, d.reqs[i])
	}
	return out
}

// pathLess orders paths so that index 10 follows index 9.
func pathLess(a, b string) bool {
	for a != "" && b != "" {
		ai, bi := strings.IndexByte(a, '['), strings.IndexByte(b, '[')
		if ai < 0 || bi < 0 || a[:ai] != b[:bi] {
			return a < b
		}
		a, b = a[ai+1:], b[bi+1:]
		an, bn := leadingInt(a), leadingInt(b)
		if an != bn {
			return an < bn
		}
		a, b = a[intLen(a):], b[intLen(b):]
	}
	return a < b
}

func leadingInt(s string) int {
	n := 0
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

func intLen(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

// ec2Like reports whether the task runs on an instance with the open-source
// agent, where the instance role may stand in for the execution role.
func (d *deriver) ec2Like() bool {
	return d.launchType == EC2 || d.launchType == External
}
