package requirements

import (
	"strconv"
	"strings"

	"github.com/execrole/execrole/internal/arn"
)

// The awslogs log driver (research §1.2).
//
// Sources: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html;
// moby daemon/logger/awslogs/cloudwatchlogs.go create() (CreateLogStream,
// then CreateLogGroup on ResourceNotFoundException when
// awslogs-create-group is true, options parsed with strconv.ParseBool);
// agent/api/task/task.go ApplyExecutionRoleLogsAuth and the agent README on
// ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE (default true via
// ecs-init/docker/docker_config.go).

// sampleTaskID is a task ID of the current 32-hex form, used in sample
// resources where the real ID is only known at launch.
const sampleTaskID = "0123456789abcdef0123456789abcdef"

// logsRole picks the role the awslogs driver writes with.
func (d *deriver) logsRole() Role {
	if !d.ec2Like() {
		return Execution
	}
	override := d.opts.AWSLogsExecutionRoleOverride == nil || *d.opts.AWSLogsExecutionRoleOverride
	if d.hasExecRole && override {
		return Execution
	}
	return Instance
}

// awslogs derives the requirements of one container's awslogs driver.
// options maps option names to their values; driver is the logDriver field.
func (d *deriver) awslogs(container string, driver val, options map[string]val) {
	group, ok := options["awslogs-group"]
	if !ok || group.Text == "" {
		d.diags.Errorf(driver.Range, "container %q uses awslogs without options.awslogs-group", container)
		return
	}
	role := d.logsRole()
	if role == Execution && !d.hasExecRole && d.launchType == Fargate {
		d.diags.Errorf(driver.Range, "Fargate requires task definition to have execution role ARN to support log driver awslogs (set executionRoleArn)")
	}
	region := d.region
	if r, ok := options["awslogs-region"]; ok && r.Text != "" {
		region = r.Text
	}
	partition := d.partition
	if d.opts.Partition == "" && region != RegionPlaceholder {
		partition = arn.PartitionOf(region)
	}
	groupARN := "arn:" + partition + ":logs:" + region + ":" + d.account + ":log-group:" + group.Text

	// The stream name: awslogs-stream, else PREFIX/CONTAINER/TASKID, else
	// (EC2) the Docker container ID, which is unknowable.
	stream, sample, pattern := "*", "0123456789ab", true
	if s, ok := options["awslogs-stream"]; ok && s.Text != "" {
		stream, sample, pattern = s.Text, s.Text, false
	} else if p, ok := options["awslogs-stream-prefix"]; ok && p.Text != "" {
		base := p.Text + "/" + container + "/"
		stream, sample = base+"*", base+sampleTaskID
	} else if d.launchType == Fargate {
		d.diags.Warnf(driver.Range, "container %q: awslogs on Fargate expects options.awslogs-stream-prefix; without it the stream name is unknown and the grant must cover every stream of the group", container)
	}
	streamARN := groupARN + ":log-stream:" + stream
	common := Requirement{Role: role, Feature: FeatureAWSLogs, ResourceAccount: d.account, ResourceRegion: region}
	if role == Instance {
		common.Notes = append(common.Notes, "on EC2 the instance role writes awslogs when the task has no execution role or ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE is false")
	}
	createStream := true
	if v, ok := options["awslogs-create-stream"]; ok {
		if b, err := strconv.ParseBool(v.Text); err == nil {
			createStream = b
		}
	}
	if createStream {
		r := common
		r.Action, r.Resource, r.Pattern, r.Sample = "logs:CreateLogStream", streamARN, pattern, groupARN+":log-stream:"+sample
		r.Step = StepLogDriver
		r.Reason = "container " + container + " logs with awslogs to group " + group.Text + "; the driver creates its stream when the container starts"
		d.add(r, group)
	}
	if v, ok := options["awslogs-create-group"]; ok {
		if b, err := strconv.ParseBool(strings.TrimSpace(v.Text)); err == nil && b {
			r := common
			// The driver's call is evaluated with an empty stream name
			// (terraform-aws-modules/terraform-aws-ecs#313).
			r.Action, r.Resource = "logs:CreateLogGroup", groupARN+":log-stream:"
			r.Step = StepLogDriver
			r.Conditional, r.When = true, "the log group "+group.Text+" does not exist yet"
			r.Reason = "container " + container + " sets awslogs-create-group, so the driver creates group " + group.Text + " when it is missing"
			d.add(r, v)
		} else if err != nil {
			d.diags.Errorf(v.Range, "awslogs-create-group must be true or false, got %q", v.Text)
		}
	}
	r := common
	r.Action, r.Resource, r.Pattern, r.Sample = "logs:PutLogEvents", streamARN, pattern, groupARN+":log-stream:"+sample
	r.Step, r.Runtime = StepRuntime, true
	r.Reason = "container " + container + " writes its output to group " + group.Text + " while it runs; a denial drops logs but does not stop the task"
	d.add(r, group)
}
