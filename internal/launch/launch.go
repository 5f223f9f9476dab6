// Package launch simulates how ECS launches a task with its execution role:
// it walks the task's requirements in the order ECS makes the calls,
// decides each call with the offline IAM engine (package eval), and predicts
// whether the task starts, the stopped reason ECS would print when it does
// not, and the smallest policy change that makes it start.
//
// The launch model, the order of the steps and ECS's error texts per launch
// type and agent version come from /work/shared/research/
// ecs-execution-requirements.md (§0, §2, §3), which cites the ECS agent
// source (aws/amazon-ecs-agent) and AWS documentation for each.
//
// Only execution-role calls are simulated. Task-role, instance-role and
// infrastructure-role requirements are counted in Report.Skipped.
package launch

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"

	"github.com/execrole/execrole/internal/eval"
	"github.com/execrole/execrole/internal/policy"
	"github.com/execrole/execrole/internal/requirements"
	"github.com/execrole/execrole/internal/source"
	"github.com/execrole/execrole/internal/taskdef"
)

// DefaultTaskID is the task ID used when Input.TaskID is empty. ECS names the
// execution role's session after the task ID, a 32-hex string for new-format
// task ARNs (research §0 item 1), so error texts need one; a fixed value keeps
// reports reproducible.
const DefaultTaskID = "0123456789abcdef0123456789abcdef"

// DefaultCluster is the cluster used in aws:SourceArn when Input.Cluster is
// empty: the cluster RunTask uses when none is named.
const DefaultCluster = "default"

// ECSTasks is the service principal that assumes the execution role.
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html
const ECSTasks = "ecs-tasks.amazonaws.com"

// RequestID stands in the error texts where AWS prints a request ID, which
// cannot be predicted.
const RequestID = "<request-id>"

// Input is everything the simulation depends on. Requirements come from
// requirements.Derive on TaskDefinition.
type Input struct {
	// TaskDefinition gives the default launch type and the values error
	// texts quote as written (secret references, image tags). It may be nil.
	TaskDefinition *taskdef.TaskDefinition
	Requirements   []requirements.Requirement
	Role           Role
	// SCPs are the organization levels of the role's account, root first
	// (eval.PolicySet.SCPs).
	SCPs [][]*policy.Policy
	// ResourcePolicies maps a resource ARN to its policy: an ECR repository
	// policy, a secret's resource policy, a KMS key policy. A secret may be
	// keyed by its full ARN or by its ARN without the random suffix.
	ResourcePolicies map[string]*policy.Policy
	// LaunchType is FARGATE or EC2 (EXTERNAL and MANAGED_INSTANCES run the
	// ECS agent and get its EC2 wording). "" takes the task definition's
	// requiresCompatibilities, as requirements.Options does.
	LaunchType string
	// AgentVersion picks the EC2 agent's error wording; zero means Latest.
	AgentVersion Version
	// TaskID names the role session; "" means DefaultTaskID.
	TaskID string
	// Cluster goes into aws:SourceArn; "" means DefaultCluster.
	Cluster string
	// Account, Region and Partition are where the task runs; "" takes them
	// from the role ARN, then from the task definition.
	Account, Region, Partition string
}

// Role is the execution role as it exists.
type Role struct {
	// ARN is the role's ARN; Name defaults from it. The session ARN omits
	// the role's path (research §2.1).
	Name, ARN string
	// Trust is the AssumeRolePolicyDocument; nil means not given, which
	// makes the assume-role step Unknown.
	Trust *policy.Policy
	// Identity holds the inline and attached managed policies.
	Identity []*policy.Policy
	// Boundary is the permissions boundary, if any.
	Boundary *policy.Policy
}

// Verdict is the outcome of a launch.
type Verdict string

// The verdicts. Unknown means no call fails but one depends on a policy the
// input does not include (a cross-account resource policy, a key policy), so
// execrole will not guess.
const (
	Starts  Verdict = "starts"
	Fails   Verdict = "fails"
	Unknown Verdict = "unknown"
)

// DecisionUnknown is a call's decision when it depends on a resource policy
// that was not given and the policies that were given allow it.
const DecisionUnknown = "Unknown"

// Report is the result of a simulation; it marshals to the JSON of
// `execrole check --format json`.
type Report struct {
	Verdict      Verdict `json:"verdict"`
	LaunchType   string  `json:"launchType"`
	AgentVersion string  `json:"agentVersion,omitempty"`
	// Principal is the execution role's session ARN, in which every
	// execution-role call is made.
	Principal string `json:"principal"`
	// StoppedReason is the task's stoppedReason as ECS prints it for the
	// first failing call. For image pulls and log drivers on EC2 the
	// detailed text is the container's reason (ContainerReason) and the
	// task says only "Task failed to start" (research §0 item 3).
	StoppedReason   string `json:"stoppedReason,omitempty"`
	Container       string `json:"container,omitempty"`
	ContainerReason string `json:"containerReason,omitempty"`
	// FailedStep and FailedCall locate the first failure.
	FailedStep string `json:"failedStep,omitempty"`
	Steps      []Step `json:"steps"`
	Fix        *Fix   `json:"fix,omitempty"`
	// Warnings report denied or unknown calls that do not stop the launch
	// (runtime calls, calls made only in some situations) and unknown calls.
	Warnings []string `json:"warnings,omitempty"`
	// Skipped counts requirements of other roles, which the simulation
	// does not decide.
	Skipped int `json:"skipped,omitempty"`
}

// Step is one launch phase with the calls ECS makes in it.
type Step struct {
	Name  string `json:"name"`
	Calls []Call `json:"calls"`
}

// Call is one API request made during the launch and its decision.
type Call struct {
	Principal string              `json:"principal"`
	Action    string              `json:"action"`
	Resource  string              `json:"resource"`
	Context   map[string][]string `json:"context,omitempty"`
	// Decision is Allowed, ImplicitlyDenied, ExplicitlyDenied (the words of
	// eval.Decision) or Unknown (DecisionUnknown).
	Decision string `json:"decision"`
	// Gate is the policy type that decided ("identity", "resource", ...).
	Gate string `json:"gate,omitempty"`
	// Statements are the statements that matched the request.
	Statements []Statement `json:"statements,omitempty"`
	// Why explains a denial or an Unknown in words.
	Why             []string `json:"why,omitempty"`
	RequirementPath string   `json:"requirementPath,omitempty"`
	Location        string   `json:"location,omitempty"`
	// Range is Location for renderers that place results in files (SARIF).
	Range source.Range `json:"-"`
	// Blocking is false for calls whose denial does not stop the launch.
	Blocking bool   `json:"blocking"`
	When     string `json:"when,omitempty"`

	req *requirements.Requirement
	res *eval.Result
}

// Statement is a policy statement behind a decision.
type Statement struct {
	Gate      string `json:"gate"`
	Policy    string `json:"policy"`
	Statement string `json:"statement"`
	Effect    string `json:"effect"`
	Location  string `json:"location,omitempty"`
}

// stepNames maps requirement steps to the report's step names, merging the
// phases ECS runs concurrently (research §0 item 4: the order inside
// "registry auth and secrets" is not observable; execrole takes the ECR token
// first, then secrets in task-definition order).
var stepNames = map[requirements.Step]string{
	requirements.StepAssumeRole:       "assume-role",
	requirements.StepRegistryAuth:     "registry-auth-and-secrets",
	requirements.StepSecrets:          "registry-auth-and-secrets",
	requirements.StepEnvironmentFiles: "environment-files",
	requirements.StepImagePull:        "image-pull",
	requirements.StepLogDriver:        "log-driver",
	requirements.StepRuntime:          "runtime",
}

// env is the resolved simulation setting.
type env struct {
	in                         Input
	launch                     string
	ec2                        bool
	agent                      Version
	taskID, cluster            string
	account, region, partition string
	roleName, roleARN, session string
	values                     map[string]string // requirement path -> value as written
	identity                   *eval.Engine
	engines                    map[*policy.Policy]*eval.Engine
	assumed                    *eval.Engine
	compileErr                 []string
}

// Simulate runs the launch. It never fails: policies the engine cannot
// compile make their calls Unknown, with the reason in Why.
func Simulate(in Input) *Report {
	e := newEnv(in)
	rep := &Report{LaunchType: e.launch, Principal: e.session, Steps: []Step{}}
	if e.ec2 {
		rep.AgentVersion = e.agent.String()
	}
	reqs := make([]*requirements.Requirement, 0, len(in.Requirements))
	for i := range in.Requirements {
		r := &in.Requirements[i]
		if r.Role != requirements.Execution {
			rep.Skipped++
			continue
		}
		reqs = append(reqs, r)
	}
	// Stable by step, keeping Derive's order within a step.
	sort.SliceStable(reqs, func(i, j int) bool { return reqs[i].Step < reqs[j].Step })

	var first *Call
	unknown := false
	for _, r := range reqs {
		c := e.call(r)
		name := stepNames[r.Step]
		if name == "" {
			name = r.Step.String()
		}
		if n := len(rep.Steps); n == 0 || rep.Steps[n-1].Name != name {
			rep.Steps = append(rep.Steps, Step{Name: name})
		}
		st := &rep.Steps[len(rep.Steps)-1]
		st.Calls = append(st.Calls, c)
		cp := &st.Calls[len(st.Calls)-1]
		switch {
		case c.Decision == eval.Allowed.String():
		case !c.Blocking || r.Conditional:
			rep.Warnings = append(rep.Warnings, warning(cp))
		case c.Decision == DecisionUnknown:
			unknown = true
			rep.Warnings = append(rep.Warnings, warning(cp))
		case first == nil:
			first = cp
			rep.FailedStep = name
		}
	}
	switch {
	case first != nil:
		rep.Verdict = Fails
		e.reason(rep, first)
		rep.Fix = e.fix(rep)
	case unknown:
		rep.Verdict = Unknown
	default:
		rep.Verdict = Starts
	}
	return rep
}

func warning(c *Call) string {
	var b strings.Builder
	b.WriteString(c.Action + " on " + c.Resource + " is " + c.Decision)
	switch {
	case c.req != nil && c.req.Runtime:
		b.WriteString(" (made after the containers start: the task starts, but the call fails at run time)")
	case c.req != nil && c.req.Conditional:
		b.WriteString(" (made only " + c.req.When + ": the launch fails in that case)")
	}
	if len(c.Why) > 0 {
		b.WriteString(": " + strings.Join(c.Why, "; "))
	}
	return b.String()
}

func newEnv(in Input) *env {
	e := &env{in: in, agent: in.AgentVersion.orLatest(), engines: map[*policy.Policy]*eval.Engine{}}
	e.launch = strings.ToUpper(in.LaunchType)
	td := in.TaskDefinition
	if e.launch == "" {
		e.launch = requirements.Fargate
		if td != nil && len(td.RequiresCompatibilities) > 0 {
			fg, ec2 := false, false
			for _, c := range td.RequiresCompatibilities {
				fg = fg || strings.EqualFold(c.Text, requirements.Fargate)
				ec2 = ec2 || strings.EqualFold(c.Text, requirements.EC2)
			}
			if !fg && ec2 {
				e.launch = requirements.EC2
			}
		}
	}
	e.ec2 = e.launch != requirements.Fargate
	e.taskID = or(in.TaskID, DefaultTaskID)
	e.cluster = or(in.Cluster, DefaultCluster)

	e.roleARN = in.Role.ARN
	if e.roleARN == "" && td != nil {
		e.roleARN = td.ExecutionRoleArn.Text
	}
	a, _ := requirements.ParseARN(e.roleARN)
	e.account = or(in.Account, a.Account)
	e.partition = or(in.Partition, a.Partition)
	e.region = in.Region
	if td != nil {
		e.account = or(e.account, td.Account.Text)
		if !strings.HasPrefix(td.Partition.Text, "${") {
			e.partition = or(e.partition, td.Partition.Text)
		}
		e.region = or(e.region, td.Region.Text)
	}
	e.account = or(e.account, requirements.AccountPlaceholder)
	e.region = or(e.region, requirements.RegionPlaceholder)
	e.partition = or(e.partition, "aws")
	e.roleName = in.Role.Name
	if e.roleName == "" {
		// The name is the resource's last path segment: the session ARN
		// leaves out the path (research §2.1).
		res := strings.TrimPrefix(a.Resource, "role/")
		e.roleName = res[strings.LastIndex(res, "/")+1:]
	}
	if e.roleARN == "" {
		e.roleARN = "arn:" + e.partition + ":iam::" + e.account + ":role/" + e.roleName
	}
	e.session = "arn:" + e.partition + ":sts::" + e.account + ":assumed-role/" + e.roleName + "/" + e.taskID
	e.values = valuesByPath(td)

	var err error
	if e.identity, err = eval.Compile(e.set(nil)); err != nil {
		e.compileErr = append(e.compileErr, err.Error())
	}
	// The assumed policy stands for a resource policy that was not given:
	// it lets the role's account in, the way a key policy or repository
	// policy delegating to the account does, so that the identity side
	// is still decided.
	assumedDoc := `{"Version":"2012-10-17","Statement":[{"Sid":"AssumedResourcePolicy","Effect":"Allow","Principal":{"AWS":"arn:` +
		e.partition + `:iam::` + e.account + `:root"},"Action":"*","Resource":"*"}]}`
	if p, ds := policy.Parse("(resource policy not given)", []byte(assumedDoc), policy.Resource); !ds.HasErrors() {
		if e.assumed, err = eval.Compile(e.set(p)); err != nil {
			e.compileErr = append(e.compileErr, err.Error())
		}
	}
	return e
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (e *env) set(resource *policy.Policy) eval.PolicySet {
	s := eval.PolicySet{Identity: e.in.Role.Identity, SCPs: e.in.SCPs, Resource: resource}
	if e.in.Role.Boundary != nil {
		s.Boundary = []*policy.Policy{e.in.Role.Boundary}
	}
	return s
}

// engine compiles the policies for calls on a resource with policy p.
func (e *env) engine(p *policy.Policy) (*eval.Engine, error) {
	if eng, ok := e.engines[p]; ok {
		return eng, nil
	}
	eng, err := eval.Compile(e.set(p))
	if err != nil {
		return nil, err
	}
	e.engines[p] = eng
	return eng, nil
}

// valuesByPath indexes the task definition's values that error texts quote
// as written: images, secret references, registry credentials.
func valuesByPath(td *taskdef.TaskDefinition) map[string]string {
	m := map[string]string{}
	if td == nil {
		return m
	}
	add := func(s taskdef.Str) {
		if s.Path != "" {
			m[s.Path] = s.Text
		}
	}
	for _, c := range td.Containers {
		add(c.Image)
		add(c.RepositoryCredentials)
		for _, s := range c.Secrets {
			add(s.ValueFrom)
		}
		if c.LogConfiguration != nil {
			for _, s := range c.LogConfiguration.SecretOptions {
				add(s.ValueFrom)
			}
		}
		if c.Name.Path != "" {
			m[c.Path+".name"] = c.Name.Text
		}
	}
	return m
}

// resourcePolicy finds the policy given for r's resource.
func (e *env) resourcePolicy(r *requirements.Requirement) (*policy.Policy, bool) {
	for _, k := range []string{r.Resource, r.Sample, strings.TrimSuffix(r.Resource, "-??????")} {
		if p, ok := e.in.ResourcePolicies[k]; ok && k != "" {
			return p, true
		}
	}
	return nil, false
}

// needsResourcePolicy reports whether r's decision depends on a resource
// policy: cross-account calls (the other account must allow too) and KMS
// keys (a key policy must always allow).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
// https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html
func (e *env) needsResourcePolicy(r *requirements.Requirement) bool {
	if r.CrossAccount {
		return true
	}
	if r.ResourceAccount != "" && r.ResourceAccount != e.account && !strings.HasPrefix(e.account, "${") {
		return true
	}
	return strings.HasPrefix(strings.ToLower(r.Action), "kms:")
}

func (e *env) call(r *requirements.Requirement) Call {
	c := Call{
		Action: r.Action, Resource: r.Resource, RequirementPath: r.Path, Location: r.Location, Range: r.Range,
		Blocking: r.BlocksLaunch() && !r.Conditional, When: r.When, req: r,
	}
	if r.Pattern && r.Sample != "" {
		c.Resource = r.Sample
	}
	if r.Step == requirements.StepAssumeRole {
		return e.assumeRole(c, r)
	}
	c.Principal = e.session
	c.Context = map[string][]string{
		"aws:PrincipalArn":     {e.roleARN},
		"aws:PrincipalAccount": {e.account},
		"aws:PrincipalType":    {"AssumedRole"},
	}
	for k, v := range r.Context {
		c.Context[k] = v
	}
	req := &eval.Request{Principal: e.session, Action: r.Action, Resource: c.Resource, ResourceAccount: r.ResourceAccount, Context: c.Context}

	owner := r.ResourceAccount
	if owner == "" {
		owner = e.account
	}
	rp, given := e.resourcePolicy(r)
	switch {
	case given:
		eng, err := e.engine(rp)
		if err != nil {
			return unknownCall(c, "the resource policy does not compile: "+err.Error())
		}
		e.decide(&c, eng.Explain(req), false)
	case e.needsResourcePolicy(r):
		if e.assumed == nil {
			return unknownCall(c, e.compileErr...)
		}
		res := e.assumed.Explain(req)
		e.decide(&c, res, true)
		if res.Decision == eval.Allowed {
			c.Decision = DecisionUnknown
			c.Gate = ""
			c.Why = []string{"depends on the " + resourcePolicyWord(r.Action) + " of " + c.Resource +
				" in account " + owner + ", which was not given; the identity side allows it"}
		}
	default:
		if e.identity == nil {
			return unknownCall(c, e.compileErr...)
		}
		e.decide(&c, e.identity.Explain(req), false)
	}
	if c.Decision == eval.ImplicitlyDenied.String() {
		c.Why = append(c.Why, similarActions(e.in.Role.Identity, c.Action)...)
	}
	return unplaced(c)
}

func unknownCall(c Call, why ...string) Call {
	c.Decision = DecisionUnknown
	c.Why = why
	return c
}

// resourcePolicyWord names the resource policy type an action depends on.
func resourcePolicyWord(action string) string {
	svc, _, _ := strings.Cut(strings.ToLower(action), ":")
	switch svc {
	case "ecr":
		return "repository policy"
	case "secretsmanager":
		return "secret's resource policy"
	case "kms":
		return "key policy"
	case "s3":
		return "bucket policy"
	}
	return "resource policy"
}

// decide copies an explanation into c. Matches of the stand-in resource
// policy are left out when assumed is set.
func (e *env) decide(c *Call, res *eval.Result, assumed bool) {
	c.res = res
	c.Decision = res.Decision.String()
	c.Gate = res.Gate.String()
	for _, m := range res.Matches {
		if assumed && m.Gate == eval.GateResource {
			continue
		}
		st := Statement{Gate: m.Gate.String(), Policy: m.Policy, Statement: m.Statement, Effect: string(m.Effect)}
		if m.Range.File != "" {
			st.Location = m.Range.String()
		}
		c.Statements = append(c.Statements, st)
	}
	if res.Decision != eval.Allowed {
		c.Why = append(c.Why, res.Missing...)
	}
}

// assumeRole decides ECS's sts:AssumeRole on the role: the trust policy is
// the resource policy and ecs-tasks.amazonaws.com the principal, so only
// the trust policy can allow (eval step 4).
//
// aws:SourceAccount is the task's account and aws:SourceArn the task ARN
// arn:PARTITION:ecs:REGION:ACCOUNT:task/CLUSTER/TASKID. The research (§3)
// notes that AWS documents only account-wide patterns
// (arn:aws:ecs:REGION:ACCOUNT:*) and reports cluster-scoped patterns as not
// working (awsdocs/amazon-ecs-developer-guide#208); execrole uses the
// concrete task ARN, so a cluster-scoped pattern naming Input.Cluster is
// accepted here even though ECS may reject it.
func (e *env) assumeRole(c Call, r *requirements.Requirement) Call {
	c.Principal = ECSTasks
	c.Resource = or(r.Resource, e.roleARN)
	c.Context = map[string][]string{
		"aws:SourceAccount": {e.account},
		"aws:SourceArn":     {"arn:" + e.partition + ":ecs:" + e.region + ":" + e.account + ":task/" + e.cluster + "/" + e.taskID},
	}
	if e.in.Role.Trust == nil {
		return unknownCall(c, "the role's trust policy was not given")
	}
	eng, err := e.engine(e.in.Role.Trust)
	if err != nil {
		return unknownCall(c, "the trust policy does not compile: "+err.Error())
	}
	e.decide(&c, eng.Explain(&eval.Request{Principal: ECSTasks, Action: r.Action, Resource: c.Resource, Context: c.Context}), false)
	return unplaced(c)
}

// placeholders of where the task runs, from package taskdef and from
// CloudFormation's pseudo parameters.
var placeholders = []string{"${Region}", "${AccountId}", "${Partition}", "${AWS::Region}", "${AWS::AccountId}", "${AWS::Partition}"}

// unplaced turns an implicit denial into Unknown when a statement for the
// action failed only on a value the input names as a placeholder (a
// resource in ${Region}, an aws:SourceAccount of ${AccountId}): the real
// value may match, and execrole cannot tell.
func unplaced(c Call) Call {
	if c.Decision != eval.ImplicitlyDenied.String() || c.res == nil {
		return c
	}
	holder := func(vals ...string) string {
		for _, v := range vals {
			for _, ph := range placeholders {
				if strings.Contains(v, ph) {
					return ph
				}
			}
		}
		return ""
	}
	var ctxVals []string
	for _, v := range c.Context {
		ctxVals = append(ctxVals, v...)
	}
	for i := range c.res.NearMisses {
		nm := &c.res.NearMisses[i]
		ph := ""
		switch {
		case nm.Element() == "Resource":
			ph = holder(c.Resource)
		case nm.Element() == "Condition" && strings.Contains(strings.ToLower(nm.ConditionKey()), "resourcetag/"):
			// Resource tags live on the resource, not in any input
			// (Copilot scopes execution roles by them).
			// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-resourcetag
			c.Decision = DecisionUnknown
			c.Gate = ""
			c.Why = append(c.Why, "statement "+nm.Statement+" of "+nm.Policy+" would apply if the resource has the tags its condition names, which the input does not show")
			return c
		case nm.Element() == "Condition":
			ph = holder(ctxVals...)
		}
		if ph != "" {
			c.Decision = DecisionUnknown
			c.Gate = ""
			c.Why = append(c.Why, "statement "+nm.Statement+" of "+nm.Policy+" would apply but for "+ph+", which the input does not say (pass --region or --account)")
			return c
		}
	}
	return c
}

// JSON renders the report indented, without escaping "<" and ">" (which
// the error texts' placeholders contain), and with a final newline.
func (r *Report) JSON() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
