/**
 * SARIF checks shared by unit and e2e tests: the official SARIF 2.1.0 JSON schema via ajv, and GitHub
 * code scanning's documented ingestion rules
 * (docs.github.com: "SARIF support for code scanning", "SARIF results exceed limits").
 *
 * test/fixtures/sarif-schema-2.1.0.json is the OASIS Committee Specification schema (draft-07,
 * $id …/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json; oasis-tcs/sarif-spec
 * Documents/CommitteeSpecifications/2.1.0/sarif-schema-2.1.0.json), taken from the copy that
 * @datadog/datadog-ci-plugin-sarif 5.25.0 validates uploads with, re-indented. It predates the
 * errata fix (sarif-spec issue #449) that renamed suppression `state` to `status`; our SARIF uses
 * neither, so it validates against both.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

let validator: ValidateFunction | undefined;

export function sarifSchemaErrors(log: unknown): string[] {
  if (!validator) {
    const schema = JSON.parse(readFileSync(new URL('../fixtures/sarif-schema-2.1.0.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    validator = ajv.compile(schema);
  }
  return validator(log) ? [] : (validator.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

interface AnyObj {
  [k: string]: unknown;
}

/** Every `uri` anywhere in the log. */
function uris(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const v of node) uris(v, out);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'uri' && typeof v === 'string') out.push(v);
      else uris(v, out);
    }
  }
  return out;
}

/**
 * GitHub's rules, as violations: at most 20 runs per file, 25,000 rules and results per run,
 * 1,000 locations per result, 20 tags per rule (only 10 shown: we require fewer than 10); every
 * result needs a location with a physical file and region.startLine; no http(s) URIs (GitHub
 * rejects "URI scheme https did not match the checkout URI scheme file"); URIs relative to the
 * checkout; a rule's `name` must not equal its id; security-severity a number string 0.0–10.0.
 */
export function githubSarifViolations(log: AnyObj, repoFiles?: (uri: string) => boolean): string[] {
  const v: string[] = [];
  if (log.version !== '2.1.0') v.push('version must be 2.1.0');
  const runs = (log.runs as AnyObj[] | undefined) ?? [];
  if (runs.length === 0 || runs.length > 20) v.push(`runs: ${runs.length} (1–20 allowed)`);
  for (const u of uris(log)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(u)) v.push(`uri "${u}" has a scheme; only repository-relative paths are accepted`);
    if (u.startsWith('/') || u.startsWith('..') || u.includes('\\')) v.push(`uri "${u}" is not a relative forward-slash path inside the repository`);
  }
  for (const run of runs) {
    const driver = (run.tool as AnyObj | undefined)?.driver as AnyObj | undefined;
    if (!driver?.name) v.push('tool.driver.name missing');
    const rules = (driver?.rules as AnyObj[] | undefined) ?? [];
    if (rules.length > 25_000) v.push('more than 25,000 rules');
    const ruleIds = new Set<string>();
    for (const r of rules) {
      const id = String(r.id);
      ruleIds.add(id);
      if (r.name === r.id) v.push(`rule ${id}: name must differ from id`);
      const props = (r.properties as AnyObj | undefined) ?? {};
      const tags = (props.tags as string[] | undefined) ?? [];
      if (tags.length >= 10) v.push(`rule ${id}: ${tags.length} tags (fewer than 10 are shown)`);
      const sev = props['security-severity'];
      if (sev !== undefined && (typeof sev !== 'string' || !/^\d+(\.\d)?$/.test(sev) || Number(sev) > 10)) v.push(`rule ${id}: security-severity "${String(sev)}" is not 0.0–10.0`);
      if (!(r.shortDescription as AnyObj | undefined)?.text) v.push(`rule ${id}: shortDescription missing`);
    }
    const results = run.results as AnyObj[] | undefined;
    if (!Array.isArray(results)) v.push('run.results must be an array');
    else {
      if (results.length > 25_000) v.push('more than 25,000 results');
      results.forEach((res, i) => {
        if (!ruleIds.has(String(res.ruleId))) v.push(`result ${i}: ruleId ${String(res.ruleId)} not among the rules`);
        const locs = (res.locations as AnyObj[] | undefined) ?? [];
        if (locs.length === 0) v.push(`result ${i}: expected at least one location`);
        if (locs.length > 1000) v.push(`result ${i}: more than 1,000 locations`);
        for (const l of locs) {
          const phys = l.physicalLocation as AnyObj | undefined;
          const uri = (phys?.artifactLocation as AnyObj | undefined)?.uri;
          const line = (phys?.region as AnyObj | undefined)?.startLine;
          if (typeof uri !== 'string') v.push(`result ${i}: location without physicalLocation.artifactLocation.uri`);
          else if (repoFiles && !repoFiles(uri)) v.push(`result ${i}: ${uri} is not a file in the repository`);
          if (typeof line !== 'number' || line < 1) v.push(`result ${i}: location without region.startLine`);
        }
        const text = (res.message as AnyObj | undefined)?.text;
        if (typeof text !== 'string' || text.length === 0) v.push(`result ${i}: message.text missing`);
      });
    }
  }
  return v;
}
