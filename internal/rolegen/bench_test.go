package rolegen_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/execrole/execrole/internal/requirements"
	"github.com/execrole/execrole/internal/rolegen"
	"github.com/execrole/execrole/internal/taskdef"
)

// bigTaskDef has 10 containers and 50 secrets (issue 3's speed target):
// ECR images, awslogs, and a mix of SSM names, SSM ARNs and Secrets Manager
// ARNs with and without suffix or json-key.
func bigTaskDef() []byte {
	var cs []string
	for c := range 10 {
		var ss []string
		for s := range 5 {
			var vf string
			switch s {
			case 0:
				vf = fmt.Sprintf("/app/c%d/param%d", c, s)
			case 1:
				vf = fmt.Sprintf("arn:aws:ssm:eu-west-1:111122223333:parameter/app/c%d/p%d", c, s)
			case 2:
				vf = fmt.Sprintf("arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/c%d-AbC12%d:key::", c, s)
			case 3:
				vf = fmt.Sprintf("arn:aws:secretsmanager:eu-west-1:111122223333:secret:shared/s%d", c)
			default:
				vf = fmt.Sprintf("PARAM_%d_%d", c, s)
			}
			ss = append(ss, fmt.Sprintf(`{"name":"S%d","valueFrom":%q}`, s, vf))
		}
		cs = append(cs, fmt.Sprintf(`{"name":"c%d","image":"111122223333.dkr.ecr.eu-west-1.amazonaws.com/svc/c%d:1","secrets":[%s],
"logConfiguration":{"logDriver":"awslogs","options":{"awslogs-group":"/ecs/big","awslogs-region":"eu-west-1","awslogs-stream-prefix":"big"}}}`, c, c, strings.Join(ss, ",")))
	}
	return []byte(`{"family":"big","requiresCompatibilities":["FARGATE"],"executionRoleArn":"arn:aws:iam::111122223333:role/big","containerDefinitions":[` + strings.Join(cs, ",") + `]}`)
}

func BenchmarkNeedsGenerate(b *testing.B) {
	src := bigTaskDef()
	ropt := requirements.Options{Region: "eu-west-1", Account: "111122223333", KMSKeys: map[string]string{"/app/c0/param0": "arn:aws:kms:eu-west-1:111122223333:key/k"}}
	gopt := rolegen.Options{RoleName: "big-execution", Account: "111122223333", Region: "eu-west-1"}
	b.Run("taskdef.LoadBytes+Derive+Generate", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			tds, ds := taskdef.LoadBytes("big.json", src, taskdef.Options{})
			if ds.HasErrors() {
				b.Fatal(ds)
			}
			reqs, _ := requirements.Derive(tds[0], ropt)
			if _, err := rolegen.Generate(reqs, gopt); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// The benchmark's input is itself checked for slack, so that the speed
// measured is that of a correct result.
func TestBigTaskDefNoSlack(t *testing.T) {
	tds, ds := taskdef.LoadBytes("big.json", bigTaskDef(), taskdef.Options{})
	if ds.HasErrors() || len(tds) != 1 {
		t.Fatal(ds)
	}
	reqs, ds := requirements.Derive(tds[0], requirements.Options{Region: "eu-west-1", Account: "111122223333"})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	secrets := 0
	for _, r := range reqs {
		if r.Step == requirements.StepSecrets && r.Action != "kms:Decrypt" {
			secrets++
		}
	}
	if secrets != 50 {
		t.Fatalf("%d secret requirements, want 50", secrets)
	}
	res, err := rolegen.Generate(reqs, rolegen.Options{Account: "111122223333"})
	if err != nil {
		t.Fatal(err)
	}
	checkNoSlack(t, reqs, res, res.ExecutionRole, requirements.Execution)
}
