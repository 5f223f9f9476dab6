package requirements

import "strings"

// S3 object downloads the agent makes with the execution role, shared by
// environment files, the FireLens configuration and gMSA credential specs.
//
// Sources: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/taskdef-envfiles.html
// (s3:GetObject and s3:GetBucketLocation); agent/s3/s3.go (ARN pattern),
// agent/s3/factory/factory.go (bucket region lookup).

// s3Object adds s3:GetObject on the object and s3:GetBucketLocation on its
// bucket. The EC2 agent finds the bucket's region with a signed HeadBucket
// instead, but the documented GetBucketLocation is kept because Fargate's
// behaviour is unknown (research §1.6, §7 item 3).
func (d *deriver) s3Object(v val, what string, feature Feature, step Step) {
	obj, err := ParseS3ObjectARN(v.Text)
	if err != nil && v.Unknown {
		// Not resolved offline: keep the requirement with the placeholder
		// standing for the object and its bucket.
		d.diags.Warnf(v.Range, "%s is not resolved (%s): the role needs s3:GetObject on it and s3:GetBucketLocation on its bucket", what, v.Text)
		obj = S3Object{Partition: "aws", Bucket: v.Text, Key: "*"}
		if p, b, k, ok := splitS3Placeholder(v.Text); ok {
			obj = S3Object{Partition: p, Bucket: b, Key: k}
		}
	} else if err != nil {
		d.diags.Errorf(v.Range, "%s: %v", what, err)
		return
	}
	d.add(Requirement{
		Role: Execution, Action: "s3:GetObject", Resource: obj.ObjectARN(),
		Reason:  what + " is downloaded from s3://" + obj.Bucket + "/" + obj.Key,
		Feature: feature, Step: step,
	}, v)
	d.add(Requirement{
		Role: Execution, Action: "s3:GetBucketLocation", Resource: obj.BucketARN(),
		Reason:  what + " is downloaded from bucket " + obj.Bucket + ", whose region is looked up first",
		Feature: feature, Step: step,
	}, v)
	if k, ok := d.opts.KMSKeys[v.Text]; ok {
		d.kmsUsed[v.Text] = true
		d.kmsKey(v, k, what+" is encrypted with SSE-KMS using a customer managed key", "s3", "", step)
	}
}

// splitS3Placeholder reads an object ARN whose parts are placeholders, such
// as arn:aws:s3:::${var.bucket}/app.env.
func splitS3Placeholder(s string) (partition, bucket, key string, ok bool) {
	i := strings.Index(s, "arn:")
	if i < 0 {
		return "", "", "", false
	}
	m := s3ObjectARN.FindStringSubmatch(strings.TrimSuffix(strings.TrimSuffix(s[i:], "}"), `"`))
	if m == nil {
		return "", "", "", false
	}
	return m[1], m[2], m[3], true
}
