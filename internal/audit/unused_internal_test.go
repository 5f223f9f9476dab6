package audit

import (
	"strings"
	"testing"

	"github.com/execrole/execrole/internal/cloudtrail"
)

// TestRefutableBlindSpots pins which blind spots an observation can refute:
// exactly the trail-configuration ones (WriteOnly trails, KMS excluded by
// selectors). If cloudtrail.BlindSpots changes its sources, this fails
// rather than letting "unused" silently cover a blind spot.
func TestRefutableBlindSpots(t *testing.T) {
	observed := map[string]bool{}
	for _, b := range cloudtrail.BlindSpots {
		for _, a := range b.Actions {
			observed[strings.ToLower(a)] = true
		}
	}
	var refutable []string
	for _, b := range cloudtrail.BlindSpots {
		for _, a := range b.Actions {
			if refutedByObservation(b, a, observed) {
				refutable = append(refutable, b.Source)
				break
			}
		}
	}
	want := []string{
		"https://docs.aws.amazon.com/kms/latest/developerguide/vpce-logging.html",
		"https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-management-events-with-cloudtrail.html",
	}
	if strings.Join(refutable, " ") != strings.Join(want, " ") {
		t.Errorf("refutable blind spots = %v, want %v", refutable, want)
	}
	// Per service: seeing ECR reads does not show SSM reads are logged.
	var wo cloudtrail.BlindSpot
	for _, b := range cloudtrail.BlindSpots {
		if b.Source == want[1] {
			wo = b
		}
	}
	if refutedByObservation(wo, "ssm:GetParameters", map[string]bool{"ecr:batchgetimage": true}) {
		t.Error("an ECR read refuted the WriteOnly blind spot for SSM")
	}
	if !refutedByObservation(wo, "ssm:GetParameters", map[string]bool{"ssm:getparameters": true}) {
		t.Error("an SSM read did not refute the WriteOnly blind spot for SSM")
	}
}
