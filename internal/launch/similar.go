package launch

import (
	"fmt"
	"strings"

	"github.com/execrole/execrole/internal/iamdata"
	"github.com/execrole/execrole/internal/policy"
)

// similarActions names the Allow statements that grant an action of the same
// service one or two letters away from the denied one: ssm:GetParameter for
// ssm:GetParameters, the copy-paste mistake that the managed policies' and
// the SSM console's naming invites (ECS calls GetParameters, research §1).
func similarActions(pols []*policy.Policy, action string) []string {
	svc, name, ok := strings.Cut(strings.ToLower(action), ":")
	if !ok {
		return nil
	}
	var out []string
	for _, p := range pols {
		for _, st := range p.Statements {
			if st.Effect != policy.Allow || st.NotAction {
				continue
			}
			for _, a := range st.Actions {
				s, n, ok := strings.Cut(strings.ToLower(a.Text), ":")
				if !ok || s != svc || n == name || strings.ContainsAny(n, "*?") {
					continue
				}
				if iamdata.EditDistance(n, name, 3) <= 2 {
					id := st.Sid
					if id == "" {
						id = fmt.Sprintf("#%d", st.Index)
					}
					msg := fmt.Sprintf("statement %s of %s allows %s, not %s", id, p.Name, a.Text, action)
					if a.Range.File != "" {
						msg += " (" + a.Range.String() + ")"
					}
					out = append(out, msg)
				}
			}
		}
	}
	return out
}
