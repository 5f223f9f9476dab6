// driver.mjs runs @cloud-copilot/iam-simulate (AGPL; installed by run.sh into
// node_modules, used only as a separate process) on every request line.
// Usage: node driver.mjs REQUESTS DECISIONS_OUT POLICY...
// Prints one JSON line {"requests","seconds","rate"} on stdout and writes
// each decision, in order, one per line, to DECISIONS_OUT.
import { readFileSync, writeFileSync } from 'node:fs';
import { runUnsafeSimulation } from '@cloud-copilot/iam-simulate';

const [reqFile, decOut, ...policyFiles] = process.argv.slice(2);
const identityPolicies = policyFiles.map((f, i) => ({ name: `p${i}`, policy: JSON.parse(readFileSync(f, 'utf8')) }));
const lines = readFileSync(reqFile, 'utf8').split('\n').filter((l) => l.length > 0);
const decisions = new Array(lines.length);
const start = process.hrtime.bigint();
for (let i = 0; i < lines.length; i++) {
  const q = JSON.parse(lines[i]);
  decisions[i] = runUnsafeSimulation({
    request: {
      principal: q.principal,
      action: q.action,
      resource: { resource: q.resource, accountId: q.resourceAccount },
      contextVariables: q.context ?? {},
    },
    identityPolicies,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  }, {});
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
writeFileSync(decOut, decisions.join('\n') + '\n');
console.log(JSON.stringify({ requests: lines.length, seconds, rate: lines.length / seconds }));
