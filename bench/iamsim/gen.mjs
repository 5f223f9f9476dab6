// gen.mjs writes N request lines for one benchmark set, cycling through a
// fixed list of requests that mixes allowed and denied decisions.
// Usage: node gen.mjs SET N OUT
import { createWriteStream } from 'node:fs';

const [set, nStr, out] = process.argv.slice(2);
const n = Number(nStr);
const principal = 'arn:aws:sts::111122223333:assumed-role/app-exec/0123abcd';
const acct = '111122223333';
const r = (action, resource, context = {}) => ({ principal, action, resource, resourceAccount: acct, context });

const sets = {
  'allow-one': [
    r('s3:GetObject', 'arn:aws:s3:::bench-bucket/a/b.txt'),
    r('s3:PutObject', 'arn:aws:s3:::bench-bucket/a/b.txt'),
    r('s3:GetObject', 'arn:aws:s3:::other-bucket/a/b.txt'),
    r('s3:GetObject', 'arn:aws:s3:::bench-bucket/deep/key/x'),
  ],
  'ecs-exec': [
    r('ecr:GetAuthorizationToken', '*'),
    r('ecr:BatchGetImage', 'arn:aws:ecr:us-east-1:111122223333:repository/app'),
    r('logs:PutLogEvents', 'arn:aws:logs:us-east-1:111122223333:log-group:/ecs/app:log-stream:s1'),
    r('logs:CreateLogGroup', 'arn:aws:logs:us-east-1:111122223333:log-group:/ecs/app'),
    r('secretsmanager:GetSecretValue', 'arn:aws:secretsmanager:us-east-1:111122223333:secret:app/db-AbCdEf'),
    r('secretsmanager:GetSecretValue', 'arn:aws:secretsmanager:us-east-1:111122223333:secret:app/prod/db-AbCdEf'),
    r('ssm:GetParameters', 'arn:aws:ssm:us-east-1:111122223333:parameter/app/token'),
    r('ssm:GetParameters', 'arn:aws:ssm:us-east-1:111122223333:parameter/other/token'),
    r('kms:Decrypt', 'arn:aws:kms:us-east-1:111122223333:key/0a1b2c3d-1111-2222-3333-444455556666',
      { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' }),
    r('kms:Decrypt', 'arn:aws:kms:us-east-1:111122223333:key/0a1b2c3d-1111-2222-3333-444455556666',
      { 'kms:ViaService': 'ssm.us-east-1.amazonaws.com' }),
  ],
  'readonly': [
    r('s3:GetObject', 'arn:aws:s3:::any-bucket/k'),
    r('s3:PutObject', 'arn:aws:s3:::any-bucket/k'),
    r('ec2:DescribeInstances', '*'),
    r('ec2:RunInstances', 'arn:aws:ec2:us-east-1:111122223333:instance/*'),
    r('iam:GetRole', 'arn:aws:iam::111122223333:role/app-exec'),
    r('iam:CreateRole', 'arn:aws:iam::111122223333:role/x'),
    r('dynamodb:Query', 'arn:aws:dynamodb:us-east-1:111122223333:table/t'),
    r('dynamodb:PutItem', 'arn:aws:dynamodb:us-east-1:111122223333:table/t'),
    r('lambda:ListFunctions', '*'),
    r('zzzunknown:GetThing', '*'),
  ],
};
const reqs = sets[set];
if (!reqs) throw new Error(`unknown set ${set}`);
const lines = reqs.map((q) => JSON.stringify(q) + '\n');
const w = createWriteStream(out);
let buf = '';
for (let i = 0; i < n; i++) {
  buf += lines[i % lines.length];
  if (buf.length > 1 << 20) { w.write(buf); buf = ''; }
}
w.end(buf);
