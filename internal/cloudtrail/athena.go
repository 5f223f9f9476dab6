package cloudtrail

import (
	"fmt"
	"strings"
	"time"
)

// AthenaSQL returns the Amazon Athena (engine v3) query that computes the
// same aggregation as [Scan] over the CloudTrail table AWS documents with
// partition projection on `timestamp` (yyyy/MM/dd)
// (https://docs.aws.amazon.com/athena/latest/ug/create-cloudtrail-table-partition-projection.html).
// It returns one row per distinct (role, source, event, region, account,
// error, invokedBy, resource, request key) with counts, distinct sessions
// and first/last seen; each row is then mapped to an action and resource by
// the same Go code as local logs. Without Filter.Roles it selects the roles
// that ecs-tasks.amazonaws.com assumed in the window. The folder date is the
// delivery date, so the partition range is widened by one day each side.
func AthenaSQL(table string, f Filter) string {
	var b strings.Builder
	part, evt := athenaWindow(f)
	fmt.Fprintf(&b, "WITH ev AS (\n  SELECT useridentity.sessioncontext.sessionissuer.arn AS role_arn,\n")
	b.WriteString("         eventsource, eventname, awsregion, recipientaccountid, errorcode, errormessage,\n")
	b.WriteString("         eventtime, resources, requestparameters,\n")
	b.WriteString("         useridentity.invokedby AS invokedby,\n")
	b.WriteString("         split_part(useridentity.principalid, ':', 2) AS session_name\n")
	fmt.Fprintf(&b, "  FROM %s\n", table)
	b.WriteString("  WHERE useridentity.type = 'AssumedRole'\n")
	for _, c := range append(part, evt...) {
		b.WriteString("    AND " + c + "\n")
	}
	var arns, names []string
	for _, r := range f.Roles {
		if strings.HasPrefix(r, "arn:") {
			arns = append(arns, sqlString(r))
		} else {
			names = append(names, sqlString(r))
		}
	}
	switch {
	case len(arns) > 0 && len(names) > 0:
		fmt.Fprintf(&b, "    AND (useridentity.sessioncontext.sessionissuer.arn IN (%s)\n         OR useridentity.sessioncontext.sessionissuer.username IN (%s))\n", strings.Join(arns, ", "), strings.Join(names, ", "))
	case len(arns) > 0:
		fmt.Fprintf(&b, "    AND useridentity.sessioncontext.sessionissuer.arn IN (%s)\n", strings.Join(arns, ", "))
	case len(names) > 0:
		fmt.Fprintf(&b, "    AND useridentity.sessioncontext.sessionissuer.username IN (%s)\n", strings.Join(names, ", "))
	default:
		b.WriteString("    AND useridentity.sessioncontext.sessionissuer.arn IN (\n")
		b.WriteString("      SELECT DISTINCT json_extract_scalar(requestparameters, '$.roleArn')\n")
		fmt.Fprintf(&b, "      FROM %s\n", table)
		b.WriteString("      WHERE eventsource = 'sts.amazonaws.com' AND eventname = 'AssumeRole'\n")
		b.WriteString("        AND useridentity.type = 'AWSService' AND useridentity.invokedby = 'ecs-tasks.amazonaws.com'\n")
		for _, c := range append(part, evt...) {
			b.WriteString("        AND " + c + "\n")
		}
		b.WriteString("    )\n")
	}
	b.WriteString(`),
keyed AS (
  SELECT ev.*,
    CASE
      WHEN eventsource = 'secretsmanager.amazonaws.com' THEN json_extract_scalar(requestparameters, '$.secretId')
      WHEN eventsource = 'ssm.amazonaws.com' AND eventname = 'GetParameters'
           THEN json_format(json_extract(requestparameters, '$.names'))
      WHEN eventsource = 'ssm.amazonaws.com'
           THEN coalesce(json_extract_scalar(requestparameters, '$.name'), json_extract_scalar(requestparameters, '$.path'))
      WHEN eventsource = 'logs.amazonaws.com'
           THEN concat_ws(':log-stream:', json_extract_scalar(requestparameters, '$.logGroupName'),
                          regexp_replace(json_extract_scalar(requestparameters, '$.logStreamName'), '[^/]+$', '*'))
      WHEN eventsource = 'ecr.amazonaws.com'
           THEN concat_ws('/', json_extract_scalar(requestparameters, '$.registryId'),
                               json_extract_scalar(requestparameters, '$.repositoryName'))
      WHEN eventsource = 'kms.amazonaws.com'
           THEN coalesce(json_extract_scalar(requestparameters, '$.encryptionContext.SecretARN'),
                         json_extract_scalar(requestparameters, '$.encryptionContext.PARAMETER_ARN'))
      WHEN eventsource = 's3.amazonaws.com'
           THEN concat_ws('/', json_extract_scalar(requestparameters, '$.bucketName'),
                               json_extract_scalar(requestparameters, '$.key'))
    END AS req_key
  FROM ev
)
SELECT role_arn, eventsource, eventname, awsregion, recipientaccountid, errorcode, invokedby,
       r.arn AS resource_arn, req_key,
       count(*)                     AS calls,
       count(DISTINCT session_name) AS sessions,
       min(eventtime)               AS first_seen,
       max(eventtime)               AS last_seen,
       min(errormessage)            AS sample_error
FROM keyed
LEFT JOIN UNNEST(resources) AS t(r) ON true
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
ORDER BY 1, 2, 3, 8, 9
`)
	return b.String()
}

// athenaWindow returns the partition predicate (widened by a day for the
// delivery delay) and the exact eventtime predicate.
func athenaWindow(f Filter) (part, evt []string) {
	const day = 24 * time.Hour
	if !f.Since.IsZero() {
		part = append(part, fmt.Sprintf(`"timestamp" >= '%s'`, f.Since.UTC().Add(-day).Format("2006/01/02")))
		evt = append(evt, fmt.Sprintf("eventtime >= '%s'", f.Since.UTC().Format("2006-01-02T15:04:05Z")))
	}
	if !f.Until.IsZero() {
		part = append(part, fmt.Sprintf(`"timestamp" <= '%s'`, f.Until.UTC().Add(day).Format("2006/01/02")))
		evt = append(evt, fmt.Sprintf("eventtime <= '%s'", f.Until.UTC().Format("2006-01-02T15:04:05Z")))
	}
	return part, evt
}

// sqlString quotes a literal for Presto/Trino by doubling single quotes.
func sqlString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
