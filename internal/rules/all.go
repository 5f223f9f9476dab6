package rules

// All is every rule, in ID order. IDs are stable and never reused.
var All = []*Rule{
	{ID: "ER001", Doc: "docs/rules/ER001.md", Name: "trust-principal", Severity: Error, Title: "Trust policy does not name ecs-tasks.amazonaws.com", Check: checkTrustPrincipal},
	{ID: "ER002", Doc: "docs/rules/ER002.md", Name: "trust-assume-role", Severity: Error, Title: "Trust statement for ecs-tasks.amazonaws.com lacks sts:AssumeRole", Check: checkTrustAssumeRole},
	{ID: "ER003", Doc: "docs/rules/ER003.md", Name: "trust-extra-principal", Severity: Warning, Title: "Trust policy lets other principals assume the execution role", Check: checkTrustExtraPrincipals},
	{ID: "ER004", Doc: "docs/rules/ER004.md", Name: "trust-source-account", Severity: Warning, Title: "Trust policy has no aws:SourceAccount or aws:SourceArn condition", Check: checkTrustSourceAccount},
	{ID: "ER005", Doc: "docs/rules/ER005.md", Name: "broad-managed-policy", Severity: Error, Title: "Broad AWS managed policy attached to the execution role", Check: checkBroadManaged},
	{ID: "ER006", Doc: "docs/rules/ER006.md", Name: "wildcard-resource", Severity: Warning, Title: "SSM, Secrets Manager, KMS or logs actions allowed on every resource", Check: checkWildcardResource},
	{ID: "ER007", Doc: "docs/rules/ER007.md", Name: "action-wildcard", Severity: Warning, Title: "Service or action wildcard in an Allow statement", Check: checkActionWildcard},
	{ID: "ER008", Doc: "docs/rules/ER008.md", Name: "unneeded-permission", Severity: Note, Title: "Permission no task definition using the role needs", Check: checkUnneeded},
	{ID: "ER009", Doc: "docs/rules/ER009.md", Name: "application-permission", Severity: Warning, Title: "Application permission (S3, DynamoDB, SQS, ...) on the execution role", Check: checkAppPermissions},
	{ID: "ER010", Doc: "docs/rules/ER010.md", Name: "managed-policy-reliance", Severity: Error, Title: "Secrets needed but only AmazonECSTaskExecutionRolePolicy attached", Check: checkManagedReliance},
	{ID: "ER011", Doc: "docs/rules/ER011.md", Name: "awslogs-create-group", Severity: Error, Title: "awslogs-create-group without logs:CreateLogGroup", Check: checkCreateGroup},
	{ID: "ER012", Doc: "docs/rules/ER012.md", Name: "log-group-arn", Severity: Warning, Title: "Log-group ARN that does not match its log streams", Check: checkLogGroupARN},
	{ID: "ER013", Doc: "docs/rules/ER013.md", Name: "awslogs-region", Severity: Warning, Title: "awslogs-region differs from the task's region", TaskOnly: true, Check: checkLogsRegion},
	{ID: "ER014", Doc: "docs/rules/ER014.md", Name: "plaintext-secret", Severity: Warning, Title: "Secret-looking value in plain-text environment", TaskOnly: true, Check: checkPlaintextSecrets},
	{ID: "ER015", Doc: "docs/rules/ER015.md", Name: "shared-role", Severity: Warning, Title: "One execution role shared by task definitions with different needs", Check: checkSharedRole},
	{ID: "ER016", Doc: "docs/rules/ER016.md", Name: "same-role", Severity: Warning, Title: "Execution role is also the task role", Check: checkSameRole},
}

// ByID returns the rule with this ID.
func ByID(id string) (*Rule, bool) {
	for _, r := range All {
		if r.ID == id {
			return r, true
		}
	}
	return nil, false
}
