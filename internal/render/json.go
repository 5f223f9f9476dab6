package render

import (
	"bytes"
	"encoding/json"

	"github.com/execrole/execrole/internal/rolegen"
)

// JSON renders the result in the shape of issue 3, {"executionRole",
// "taskRole", "repositoryPolicies", "notes"}, indented, with every policy
// document's keys sorted so that the output diffs cleanly between runs.
func JSON(r *rolegen.Result) ([]byte, error) {
	if err := validate(r); err != nil {
		return nil, err
	}
	out := *r
	var err error
	if out.ExecutionRole, err = sortedRole(r.ExecutionRole); err != nil {
		return nil, err
	}
	if r.TaskRole != nil {
		if out.TaskRole, err = sortedRole(r.TaskRole); err != nil {
			return nil, err
		}
	}
	out.RepositoryPolicies = make([]rolegen.RepositoryPolicy, len(r.RepositoryPolicies))
	for i, rp := range r.RepositoryPolicies {
		doc, err := sortedDoc(rp.Document)
		if err != nil {
			return nil, err
		}
		out.RepositoryPolicies[i] = rolegen.RepositoryPolicy{Repository: rp.Repository, Document: doc}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func sortedRole(role *rolegen.Role) (*rolegen.Role, error) {
	out := *role
	var err error
	if out.TrustPolicy, err = sortedDoc(role.TrustPolicy); err != nil {
		return nil, err
	}
	out.Policies = make([]rolegen.NamedPolicy, len(role.Policies))
	for i, p := range role.Policies {
		doc, err := sortedDoc(p.Document)
		if err != nil {
			return nil, err
		}
		out.Policies[i] = rolegen.NamedPolicy{Name: p.Name, Document: doc, Managed: p.Managed}
	}
	return &out, nil
}

func sortedDoc(doc json.RawMessage) (json.RawMessage, error) {
	s, err := compactJSON(doc)
	return json.RawMessage(s), err
}
