package requirements

import "strings"

// Customer managed KMS keys behind secrets and S3 objects (research §1.3,
// §1.4, §1.6). The key cannot be derived from the task definition, so the
// user names it with Options.KMSKeys; without it the AWS managed key is
// assumed, which needs no grant in the same account.
//
// Sources: https://docs.aws.amazon.com/systems-manager/latest/userguide/ps-restrict-decryption.html,
// https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html,
// https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service.

// kms adds kms:Decrypt when the user named a customer managed key for one of
// refs (the reference as written, then its resolved ARNs). service is the
// service that calls KMS on the role's behalf.
func (d *deriver) kms(v val, use secretUse, service, region, account string, refs ...string) {
	var key string
	for _, ref := range refs {
		if k, ok := d.opts.KMSKeys[ref]; ok {
			key = k
			d.kmsUsed[ref] = true
			break
		}
	}
	if key == "" {
		if d.opts.Account != "" && account != d.opts.Account && service == "secretsmanager" && !strings.Contains(account, "${") {
			d.diags.Warnf(v.Range, "%s: a cross-account secret cannot use the AWS managed key aws/secretsmanager; pass --kms-key %s=KEY_ARN for its customer managed key", use.what, v.Text)
		}
		return
	}
	keyARN := key
	if !strings.HasPrefix(key, "arn:") {
		keyARN = "arn:" + d.partition + ":kms:" + region + ":" + account + ":key/" + key
	}
	d.kmsKey(v, keyARN, use.what+" is encrypted with a customer managed key, which "+service+" uses on the role's behalf", service, region, use.step)
}

// kmsKey adds kms:Decrypt on key, called through service in region ("" for
// the key's own region): the kms:ViaService value the call carries
// (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service).
func (d *deriver) kmsKey(v val, key, reason, service, region string, step Step) {
	a, ok := ParseARN(key)
	if !ok || a.Service != "kms" || !strings.HasPrefix(a.Resource, "key/") {
		d.diags.Errorf(v.Range, "--kms-key value %q is not a KMS key ARN (arn:PARTITION:kms:REGION:ACCOUNT:key/KEY-ID); aliases do not match in identity policies", key)
		return
	}
	if region == "" {
		region = a.Region
	}
	d.add(Requirement{
		Role: Execution, Action: "kms:Decrypt", Resource: key,
		Reason:          reason,
		Feature:         FeatureKMS,
		Step:            step,
		Context:         map[string][]string{"kms:ViaService": {service + "." + region + ".amazonaws.com"}},
		ResourceAccount: a.Account,
		ResourceRegion:  a.Region,
	}, v)
}
