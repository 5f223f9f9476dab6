package launch_test

import (
	"strings"
	"testing"

	"github.com/execrole/execrole/internal/launch"
	"github.com/execrole/execrole/internal/policy"
	"github.com/execrole/execrole/internal/requirements"
	"github.com/execrole/execrole/internal/taskdef"
)

// TestUndecided: a denial that depends on what the input does not say is
// Unknown, not a predicted failure; a denial that does not depend on it
// stays a failure.
func TestUndecided(t *testing.T) {
	// Copilot scopes execution roles by resource tags, which live on the
	// secret, not in any input.
	tagged := stmt("Tagged", `"ssm:GetParameters"`, `"*"`)
	tagged = strings.TrimSuffix(tagged, "}") + `,"Condition":{"StringEquals":{"aws:ResourceTag/app":"web"}}}`
	for _, c := range []struct {
		name     string
		region   string // "" leaves the task's region unknown
		identity string
		want     string // decision of ssm:GetParameters
		why      string
	}{
		{"resource tag condition", region, doc(sECRToken, sECRPull, sLogs, tagged), launch.DecisionUnknown, "tags its condition names"},
		{"region unknown, policy names the region", "", doc(sECRToken, sECRPull, sLogs, sSSM), launch.DecisionUnknown, "${Region}"},
		{"region unknown, no statement for the action", "", doc(sECRToken, sECRPull, sLogs), "ImplicitlyDenied", ""},
		{"singular action instead of GetParameters", region, doc(sECRToken, sECRPull, sLogs,
			stmt("Params", `"ssm:GetParameter"`, `"arn:aws:ssm:eu-west-1:111122223333:parameter/app/*"`)), "ImplicitlyDenied",
			"statement Params of policy.json allows ssm:GetParameter, not ssm:GetParameters"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tds, ds := taskdef.LoadBytes("td.json", []byte(taskDef(localImage, true)), taskdef.Options{Region: c.region, Account: acct})
			if ds.HasErrors() {
				t.Fatal(ds)
			}
			reqs, _ := requirements.Derive(tds[0], requirements.Options{})
			rep := launch.Simulate(launch.Input{TaskDefinition: tds[0], Requirements: reqs,
				Role: launch.Role{ARN: roleARN, Trust: parse(t, "trust.json", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, policy.Trust),
					Identity: []*policy.Policy{parse(t, "policy.json", c.identity, policy.Identity)}}})
			var call *launch.Call
			for si := range rep.Steps {
				for ci := range rep.Steps[si].Calls {
					if cl := &rep.Steps[si].Calls[ci]; cl.Action == "ssm:GetParameters" && call == nil {
						call = cl
					}
				}
			}
			if call == nil {
				t.Fatal("no ssm:GetParameters call")
			}
			if call.Decision != c.want {
				t.Errorf("decision %s, want %s (why: %v)", call.Decision, c.want, call.Why)
			}
			if c.why != "" && !strings.Contains(strings.Join(call.Why, "\n"), c.why) {
				t.Errorf("why %q does not say %q", call.Why, c.why)
			}
			if c.want == launch.DecisionUnknown && rep.Verdict == launch.Fails {
				t.Errorf("verdict fails on an undecidable call: %s", rep.StoppedReason)
			}
		})
	}
}
