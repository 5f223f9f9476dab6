package requirements

// FireLens configuration file in S3 (research §1.7).
//
// Sources: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/firelens-taskdef.html,
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_firelens.html;
// agent/taskresource/firelens/firelens_unix.go downloadConfigFromS3.

// fireLensConfig derives firelensConfiguration.options when the config file
// is in S3 (config-file-type "s3"); "file" configs need nothing.
func (d *deriver) fireLensConfig(container string, typ, value val) {
	if typ.Text != "s3" {
		return
	}
	if d.launchType == Fargate {
		d.diags.Warnf(typ.Range, "container %q: Fargate tasks support only the \"file\" FireLens config-file-type (using_firelens.html)", container)
	}
	d.s3Object(value, "FireLens configuration of container "+container, FeatureFireLensConfig, StepEnvironmentFiles)
}
