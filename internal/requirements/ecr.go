package requirements

import (
	"regexp"
	"strings"
)

// tfECRRepositoryURL is a Terraform placeholder for an image in an ECR
// repository of the same configuration, with an optional tag or digest:
// ${[module.M.][data.]aws_ecr_repository.NAME.repository_url}[:TAG|@DIGEST]
// (https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/ecr_repository#attribute-reference).
var tfECRRepositoryURL = regexp.MustCompile(`^\$\{((?:module\.[A-Za-z0-9_-]+(?:\[[^\]]*\])?\.)*(?:data\.)?aws_ecr_repository\.[A-Za-z0-9_-]+(?:\[[^\]]*\])?)\.repository_url\}(?:[:@][^/]*)?$`)

// Private ECR image pulls (research §1.1).
//
// Sources: https://docs.aws.amazon.com/AmazonECR/latest/userguide/ECR_on_ECS.html,
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html,
// https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache-iam.html,
// agent/ecr/client.go (GetAuthorizationToken in the image's region with the
// image's registry ID), agent/api/container/container.go
// (ShouldPullWithExecutionRole).

// ecrPullRole picks the role that pulls private ECR images: the execution
// role everywhere except on EC2/external tasks without one (or when the user
// says the instance role pulls).
func (d *deriver) ecrPullRole() Role {
	if d.ec2Like() && (!d.hasExecRole || d.opts.ECRPullWithInstanceRole) {
		return Instance
	}
	return Execution
}

// image derives the pull requirements of one container image. withCreds is
// set when the container has repositoryCredentials: the registry is then
// authenticated with that secret, not with ECR.
func (d *deriver) image(container string, v val, withCreds bool) {
	if v.Unknown {
		// Templates usually fill in the tag only; the repository, and so
		// the grant, is then known.
		repo := v.Text
		if i := strings.IndexAny(repo, "@"); i >= 0 {
			repo = repo[:i]
		}
		if slash := strings.LastIndex(repo, "/"); strings.LastIndex(repo, ":") > slash {
			repo = repo[:strings.LastIndex(repo, ":")]
		}
		if img, err := ParseImage(repo); err == nil && !templated(repo) {
			d.ecrImage(container, v, img, withCreds)
			return
		}
		if m := tfECRRepositoryURL.FindStringSubmatch(v.Text); m != nil && !withCreds {
			// The repository is created in the same configuration: a
			// private ECR image of the task's account and region, the
			// provider's defaults, named by the repository's name.
			d.diags.Warnf(v.Range, "image of container %q is the URL of %s, not resolved: assumed in the task's account and region", container, m[1])
			d.ecrImage(container, v, Image{ECR: true, Account: d.account, Region: d.region, Partition: d.partition,
				Repository: "${" + m[1] + ".name}"}, withCreds)
			return
		}
		if !withCreds {
			d.diags.Warnf(v.Range, "image of container %q is not resolved (%s): if it is a private ECR image, the role also needs ecr:BatchGetImage and ecr:GetDownloadUrlForLayer on its repository", container, v.Text)
		}
		return
	}
	img, err := ParseImage(v.Text)
	if err != nil {
		d.diags.Errorf(v.Range, "image of container %q: %v", container, err)
		return
	}
	if img.DualStack {
		d.diags.Warnf(v.Range, "image %q uses an ECR dual-stack host, which ECS does not authenticate: the pull fails with \"no basic auth credentials\" (aws/containers-roadmap#2611); use ACCOUNT.dkr.ecr.REGION.amazonaws.com", v.Text)
		return
	}
	d.ecrImage(container, v, img, withCreds)
}

func (d *deriver) ecrImage(container string, v val, img Image, withCreds bool) {
	if !img.ECR || withCreds {
		return
	}
	role := d.ecrPullRole()
	if role == Execution && !d.hasExecRole && d.launchType == Fargate {
		d.diags.Errorf(v.Range, "Fargate requires task definition to have execution role ARN to support ECR images (set executionRoleArn)")
	}
	repo := img.RepositoryARN()
	where := "in " + img.Region
	if img.Account != d.opts.Account {
		where = "in account " + img.Account + ", " + img.Region
	}
	d.add(Requirement{
		Role: role, Action: "ecr:GetAuthorizationToken", Resource: "*",
		Reason:  "container " + container + " pulls a private ECR image; ECS first gets a registry token " + where + " (the action has no resource-level permissions)",
		Feature: FeatureECRPull, Step: StepRegistryAuth,
	}, v)
	for _, action := range []string{"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"} {
		r := Requirement{
			Role: role, Action: action, Resource: repo,
			Reason:          "container " + container + " pulls image " + img.Repository + " from ECR " + where,
			Feature:         FeatureECRPull,
			Step:            StepImagePull,
			ResourceAccount: img.Account,
			ResourceRegion:  img.Region,
		}
		if d.opts.Account != "" && img.Account != d.opts.Account {
			r.Notes = append(r.Notes, "cross-account image: the repository policy in account "+img.Account+" must also allow this role")
		}
		d.add(r, v)
	}
	if prefix, ok := d.pullThroughCache(img.Repository); ok {
		for _, a := range []struct{ action, when string }{
			{"ecr:BatchImportUpstreamImage", "ECR has to fetch or refresh the image from the upstream registry"},
			{"ecr:CreateRepository", "the cache repository does not exist yet (first pull)"},
		} {
			d.add(Requirement{
				Role: role, Action: a.action, Resource: repo,
				Reason:          "image " + img.Repository + " is under pull-through cache prefix " + prefix,
				Feature:         FeatureECRPullThroughCache,
				Step:            StepImagePull,
				ResourceAccount: img.Account,
				ResourceRegion:  img.Region,
				Conditional:     true,
				When:            a.when,
			}, v)
		}
	}
}

func (d *deriver) pullThroughCache(repo string) (string, bool) {
	for _, p := range d.opts.PullThroughCachePrefixes {
		p = strings.Trim(p, "/")
		if p != "" && strings.HasPrefix(repo, p+"/") {
			return p, true
		}
	}
	return "", false
}
