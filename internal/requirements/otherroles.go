package requirements

import "strings"

// Requirements of the task role and the infrastructure role (research §5).
// They are reported so that users grant them to the right role and never
// to the execution role.
//
// Sources: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/efs-volumes.html
// ("use the Amazon ECS task IAM role"; the agent passes the task
// credentials to the EFS volume driver, agent/api/task/task.go
// initializeEFSVolumes), https://docs.aws.amazon.com/efs/latest/ug/iam-access-control-nfs-efs.html,
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html,
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/infrastructure_IAM_role.html,
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_firelens.html.

// efsVolume derives EFS IAM authorization: ClientMount always, ClientWrite
// when some container mounts the volume read-write.
func (d *deriver) efsVolume(volume string, iam, fsID val, accessPoint val, writable bool) {
	if !strings.EqualFold(iam.Text, "ENABLED") {
		return
	}
	if fsID.Text == "" {
		d.diags.Errorf(iam.Range, "volume %q enables EFS IAM authorization without a fileSystemId", volume)
		return
	}
	fs := "arn:" + d.partition + ":elasticfilesystem:" + d.region + ":" + d.account + ":file-system/" + fsID.Text
	var ctx map[string][]string
	if accessPoint.Text != "" {
		ap := "arn:" + d.partition + ":elasticfilesystem:" + d.region + ":" + d.account + ":access-point/" + accessPoint.Text
		ctx = map[string][]string{"elasticfilesystem:AccessPointArn": {ap}}
	}
	actions := []string{"elasticfilesystem:ClientMount"}
	if writable {
		actions = append(actions, "elasticfilesystem:ClientWrite")
	}
	for _, a := range actions {
		d.add(Requirement{
			Role: Task, Action: a, Resource: fs,
			Reason:          "volume " + volume + " mounts EFS file system " + fsID.Text + " with IAM authorization, using the task role",
			Feature:         FeatureEFSIAM,
			Step:            StepEnvironmentFiles,
			Context:         ctx,
			ResourceAccount: d.account,
			ResourceRegion:  d.region,
			Notes:           []string{"elasticfilesystem:ClientRootAccess is also needed if containers act as root and the file system policy does not squash it"},
		}, iam)
	}
}

// ebsVolume reports a volume configured at launch: ECS creates and attaches
// an EBS volume with the infrastructure role passed in the service or
// RunTask, never with the execution role.
func (d *deriver) ebsVolume(volume string, v val) {
	for _, a := range []string{"ec2:CreateVolume", "ec2:AttachVolume"} {
		d.add(Requirement{
			Role: Infrastructure, Action: a, Resource: "arn:" + d.partition + ":ec2:" + d.region + ":" + d.account + ":volume/*",
			Pattern: true, Sample: "arn:" + d.partition + ":ec2:" + d.region + ":" + d.account + ":volume/vol-0123456789abcdef0",
			Reason:  "volume " + volume + " is configured at launch; ECS manages its EBS volume with the infrastructure role",
			Feature: FeatureEBSVolume,
			Step:    StepEnvironmentFiles,
			Notes:   []string{"attach the AWS managed policy AmazonECSInfrastructureRolePolicyForVolumes to the infrastructure role (trusted by ecs.amazonaws.com); a customer managed KMS key's policy must allow that role"},
		}, v)
	}
}

// fireLensDestination reports the task-role permissions of well-known
// Fluent Bit output plugins named in an awsfirelens logConfiguration.
func (d *deriver) fireLensDestination(container string, name val, options map[string]val) {
	opt := func(k string) string { return options[k].Text }
	region := opt("region")
	if region == "" {
		region = d.region
	}
	type grant struct{ action, resource string }
	var grants []grant
	switch strings.ToLower(name.Text) {
	case "cloudwatch", "cloudwatch_logs":
		group := opt("log_group_name")
		if group == "" {
			return
		}
		g := "arn:" + d.partition + ":logs:" + region + ":" + d.account + ":log-group:" + group
		grants = []grant{{"logs:CreateLogStream", g + ":log-stream:*"}, {"logs:PutLogEvents", g + ":log-stream:*"}}
		if b := strings.ToLower(opt("auto_create_group")); b == "true" || b == "on" {
			grants = append(grants, grant{"logs:CreateLogGroup", g + ":log-stream:"})
		}
	case "firehose", "kinesis_firehose":
		if s := opt("delivery_stream"); s != "" {
			grants = []grant{{"firehose:PutRecordBatch", "arn:" + d.partition + ":firehose:" + region + ":" + d.account + ":deliverystream/" + s}}
		}
	case "kinesis", "kinesis_streams":
		if s := opt("stream"); s != "" {
			grants = []grant{{"kinesis:PutRecords", "arn:" + d.partition + ":kinesis:" + region + ":" + d.account + ":stream/" + s}}
		}
	case "s3":
		if b := opt("bucket"); b != "" {
			grants = []grant{{"s3:PutObject", "arn:" + d.partition + ":s3:::" + b + "/*"}}
		}
	}
	for _, g := range grants {
		d.add(Requirement{
			Role: Task, Action: g.action, Resource: g.resource, Pattern: strings.Contains(g.resource, "*"),
			Sample:  strings.ReplaceAll(g.resource, "*", "sample"),
			Reason:  "container " + container + " routes its logs through FireLens to " + name.Text + "; the log router sends them with the task role",
			Feature: FeatureFireLensDestination,
			Step:    StepRuntime, Runtime: true,
		}, name)
	}
}

// execCommand reports ECS Exec's task-role permissions; enableExecuteCommand
// is a service or RunTask setting, so it comes from Options.
func (d *deriver) execCommand() {
	for _, a := range []string{"ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"} {
		d.add(Requirement{
			Role: Task, Action: a, Resource: "*",
			Reason:  "ECS Exec (enableExecuteCommand) opens SSM sessions with the task role",
			Feature: FeatureECSExec,
			Step:    StepRuntime, Runtime: true,
		}, val{Path: "enableExecuteCommand"})
	}
}
