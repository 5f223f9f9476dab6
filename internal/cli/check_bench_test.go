package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// checkFleet writes n task definitions spread over roles execution roles of
// one account, and that account's authorization-details export: the shape
// of a platform team's fleet (issue: 1,000 task definitions against one
// account in under a second, end to end).
func checkFleet(b *testing.B, n, roles int) (files []string, authz string) {
	dir := b.TempDir()
	type kv = map[string]any
	var roleList []any
	for r := range roles {
		name := fmt.Sprintf("svc%02d-execution", r)
		roleList = append(roleList, kv{
			"RoleName": name, "Path": "/", "Arn": "arn:aws:iam::111122223333:role/" + name,
			"AssumeRolePolicyDocument": kv{"Version": "2012-10-17", "Statement": []any{kv{
				"Effect": "Allow", "Principal": kv{"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole",
				"Condition": kv{"StringEquals": kv{"aws:SourceAccount": "111122223333"}}}}},
			"RolePolicyList": []any{kv{"PolicyName": "secrets", "PolicyDocument": kv{"Version": "2012-10-17", "Statement": []any{
				kv{"Effect": "Allow", "Action": "ssm:GetParameters", "Resource": fmt.Sprintf("arn:aws:ssm:eu-west-1:111122223333:parameter/svc%02d/*", r)},
				kv{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": fmt.Sprintf("arn:aws:secretsmanager:eu-west-1:111122223333:secret:svc%02d/*", r)},
			}}}},
			"AttachedManagedPolicies": []any{kv{"PolicyName": "AmazonECSTaskExecutionRolePolicy", "PolicyArn": "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"}},
		})
	}
	authz = filepath.Join(dir, "authz.json")
	writeJSON(b, authz, kv{"RoleDetailList": roleList, "UserDetailList": []any{}, "GroupDetailList": []any{}, "Policies": []any{}})
	for i := range n {
		r := i % roles
		td := kv{
			"family":                  fmt.Sprintf("app%04d", i),
			"executionRoleArn":        fmt.Sprintf("arn:aws:iam::111122223333:role/svc%02d-execution", r),
			"requiresCompatibilities": []any{"FARGATE"},
			"containerDefinitions": []any{kv{
				"name":  "app",
				"image": fmt.Sprintf("111122223333.dkr.ecr.eu-west-1.amazonaws.com/svc%02d/app%04d:1.%d", r, i, i),
				"secrets": []any{
					kv{"name": "DB", "valueFrom": fmt.Sprintf("arn:aws:secretsmanager:eu-west-1:111122223333:secret:svc%02d/db-AbCdEf", r)},
					kv{"name": "KEY", "valueFrom": fmt.Sprintf("arn:aws:ssm:eu-west-1:111122223333:parameter/svc%02d/app%04d/key", r, i)},
				},
				"logConfiguration": kv{"logDriver": "awslogs", "options": kv{
					"awslogs-group": fmt.Sprintf("/ecs/app%04d", i), "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "app"}},
			}},
		}
		f := filepath.Join(dir, fmt.Sprintf("td%04d.json", i))
		writeJSON(b, f, td)
		files = append(files, f)
	}
	return files, authz
}

func writeJSON(b *testing.B, path string, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkCheckFleet runs `execrole needs` and `execrole check` in-process
// on 1,000 task definitions (and, for check, one export): each must take
// under a second. needs (reading and deriving only) is the baseline in the
// same run; the ratio is what the launch simulation and the rules cost on
// top. (generate merges every task definition it is given into one role, so
// a fleet of 40 roles is not its use.)
func BenchmarkCheckFleet(b *testing.B) {
	files, authz := checkFleet(b, 1000, 40)
	run := func(b *testing.B, args []string, want int) {
		var out, errb bytes.Buffer
		for b.Loop() {
			out.Reset()
			errb.Reset()
			if code := Main(context.Background(), args, nil, &out, &errb); code != want {
				b.Fatalf("exit %d, want %d: %s", code, want, errb.String())
			}
		}
	}
	b.Run("needs", func(b *testing.B) {
		run(b, append([]string{"needs", "--format", "json"}, files...), ExitOK)
	})
	b.Run("check", func(b *testing.B) {
		run(b, append([]string{"check", "--iam", authz, "--format", "json"}, files...), ExitOK)
	})
}
