package rolegen_test

import (
	"fmt"

	"github.com/execrole/execrole/internal/requirements"
	"github.com/execrole/execrole/internal/rolegen"
	"github.com/execrole/execrole/internal/taskdef"
)

func Example() {
	src := []byte(`{
  "executionRoleArn": "arn:aws:iam::111122223333:role/web-execution",
  "containerDefinitions": [{
    "name": "web",
    "image": "111122223333.dkr.ecr.eu-west-1.amazonaws.com/web:1",
    "secrets": [{"name": "DB_URL", "valueFrom": "/web/db-url"}]
  }]
}`)
	tds, ds := taskdef.LoadBytes("web.json", src, taskdef.Options{})
	if ds.HasErrors() {
		panic(ds)
	}
	reqs, _ := requirements.Derive(tds[0], requirements.Options{Region: "eu-west-1"})
	for _, r := range reqs {
		fmt.Println(r.Step, r.Action, r.Resource, "<-", r.Path)
	}
	res, err := rolegen.Generate(reqs, rolegen.Options{RoleName: "web-execution", Account: "111122223333", Region: "eu-west-1"})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.ExecutionRole.ARN, res.ExecutionRole.Policies[0].Name)
	// Output:
	// assume-role sts:AssumeRole arn:aws:iam::111122223333:role/web-execution <- executionRoleArn
	// registry-auth ecr:GetAuthorizationToken * <- containerDefinitions[0].image
	// secrets ssm:GetParameters arn:aws:ssm:eu-west-1:111122223333:parameter/web/db-url <- containerDefinitions[0].secrets[0].valueFrom
	// image-pull ecr:BatchGetImage arn:aws:ecr:eu-west-1:111122223333:repository/web <- containerDefinitions[0].image
	// image-pull ecr:GetDownloadUrlForLayer arn:aws:ecr:eu-west-1:111122223333:repository/web <- containerDefinitions[0].image
	// arn:aws:iam::111122223333:role/web-execution web-execution-permissions
}
