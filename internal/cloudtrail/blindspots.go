package cloudtrail

// BlindSpot is something an execution role may need that CloudTrail cannot
// show, so "not seen" must never be reported as "unused" for it.
type BlindSpot struct {
	// Actions are the IAM actions affected; empty means "any action".
	Actions []string `json:"actions,omitempty"`
	Reason  string   `json:"reason"`
	Source  string   `json:"source"`
}

// BlindSpots is the list the audit report prints next to its verdicts
// (research section 0.6 and section 7).
var BlindSpots = []BlindSpot{
	{[]string{"logs:PutLogEvents"}, "CloudWatch Logs does not record PutLogEvents in CloudTrail; the awslogs driver calls it for the task's whole life.", "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/logging_cw_api_calls.html"},
	{[]string{"ecr:GetDownloadUrlForLayer"}, "Image layers are fetched from a pre-signed S3 URL in an AWS-owned bucket; only the GetDownloadUrlForLayer call is logged, and cached layers are not requested at all.", "https://docs.aws.amazon.com/AmazonECR/latest/userguide/logging-using-cloudtrail.html"},
	{[]string{"iam:PassRole"}, "iam:PassRole is a permission check, not an API call, and is never logged.", "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-policy-generation.html"},
	{[]string{"s3:GetObject", "s3:GetBucketLocation"}, "S3 object reads (environment files, FireLens configuration) are data events, recorded only when the trail logs data events for that bucket.", "https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-s3-info.html"},
	{[]string{"kms:Decrypt"}, "KMS events are missing when the trail's event selectors exclude KMS; KMS calls denied by a VPC endpoint policy are not recorded.", "https://docs.aws.amazon.com/kms/latest/developerguide/vpce-logging.html"},
	{[]string{"ecr:GetAuthorizationToken", "ecr:BatchGetImage", "ssm:GetParameters", "secretsmanager:GetSecretValue", "kms:Decrypt"}, "Read-only calls are absent when the trail logs write events only (ReadWriteType WriteOnly).", "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-management-events-with-cloudtrail.html"},
	{nil, "Regions and accounts not in the input are not covered; IAM and STS events are recorded in us-east-1 since 2021-11-22.", "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-concepts.html"},
	{nil, "CloudTrail does not record which statement allowed a call or the condition keys evaluated (kms:ViaService, aws:SourceVpce, tags).", "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html"},
	{[]string{"logs:CreateLogGroup"}, "Rare paths may fall outside the window: CreateLogGroup only on the first start, secret rotation, new regions, cross-account images.", "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html"},
}
