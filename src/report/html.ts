// summary.html: one page people read after a run. Self-contained (inline CSS, no script, no
// external loads) so it can be mailed or archived as a CI artifact on its own.

import type { CheckResult, Evidence, HttpExchange } from '../model/check.ts';
import { OUTCOME_RANK, countsText, failingCount, pretty, metInSetup, rootCauses, sameText, summarize, type RunMeta } from './meta.ts';

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const h = escapeHtml;

const CSS = `
body{font:14px/1.45 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em;margin:0 0 .3em}h2{font-size:1.15em;margin:1.6em 0 .4em}h3{font-size:1em;margin:1em 0 .3em;color:#555}
dl.meta{display:grid;grid-template-columns:max-content auto;gap:.1em 1em;margin:0}dl.meta dt{font-weight:600}dl.meta dd{margin:0}
.counts span{display:inline-block;margin-right:1em}.verdict{font-weight:700;padding:.2em .6em;border-radius:4px}
.verdict.pass{background:#d7f5dd}.verdict.fail{background:#fbd5d5}
table{border-collapse:collapse;width:100%;margin-bottom:.5em}th,td{border:1px solid #ddd;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#f4f4f4}tr.failed td.o{background:#fbd5d5}tr.warning td.o{background:#fff1c2}tr.skipped td.o{background:#eee}tr.blocked td.o{background:#e4e4f7}tr.error td.o{background:#f7c7a8}tr.passed td.o{background:#d7f5dd}table.rows{font-size:12px;margin:4px 0}table.rows td,table.rows th{padding:2px 6px}
pre{background:#f7f7f7;border:1px solid #e3e3e3;padding:.4em;white-space:pre-wrap;word-break:break-all;margin:.2em 0;max-height:30em;overflow:auto}
.detail{margin:.3em 0}.detail dt{font-weight:600}.detail dd{margin:0 0 .4em 1em}.ev{border-left:3px solid #ccc;padding-left:.6em;margin:.4em 0}
.ev img{max-width:100%;border:1px solid #ccc}.notes li{color:#555}
`;

function rowOrder(a: CheckResult, b: CheckResult): number {
  return OUTCOME_RANK[a.outcome] - OUTCOME_RANK[b.outcome] || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function worst(list: readonly CheckResult[]): number {
  return Math.min(...list.map((r) => OUTCOME_RANK[r.outcome]));
}

function byWorst(aName: string, a: readonly CheckResult[], bName: string, b: readonly CheckResult[]): number {
  return worst(a) - worst(b) || (aName < bName ? -1 : aName > bName ? 1 : 0);
}

function headers(hs: Record<string, string> | undefined): string {
  return hs ? Object.entries(hs).map(([k, v]) => `${k}: ${v}`).join('\n') : '';
}

/** Bodies that are JSON are shown indented; anything else as it came. */
function body(s: string | undefined): string {
  if (s === undefined || s === '') return '';
  try {
    return JSON.stringify(JSON.parse(s), null, 2);
  } catch {
    return s;
  }
}

function httpBlock(x: HttpExchange): string {
  const req = [`${x.request.method} ${x.request.url}`, headers(x.request.headers), body(x.request.body)].filter(Boolean).join('\n\n');
  const parts = [`<div>request</div><pre>${h(req)}</pre>`];
  if (x.response) {
    const res = [`HTTP ${x.response.status}`, headers(x.response.headers), body(x.response.body)].filter(Boolean).join('\n\n');
    parts.push(`<div>response</div><pre>${h(res)}</pre>`);
  }
  if (x.error) parts.push(`<div>error</div><pre>${h(x.error)}</pre>`);
  return parts.join('');
}

/** Only relative paths inside the report folder become images: no schemes, no absolute paths. */
function safeRelative(file: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:/i.test(file) && !file.startsWith('/') && !file.startsWith('\\') && !file.split(/[\\/]/).includes('..');
}

type Row = Record<string, unknown>;

/** Rows of flat records (a claims table, a CORS matrix) read better as a table than as JSON. */
function isRows(v: unknown): v is Row[] {
  return Array.isArray(v) && v.length > 0 && v.every((r) => r !== null && typeof r === 'object' && !Array.isArray(r));
}

function cell(v: unknown): string {
  return h(typeof v === 'string' ? v : JSON.stringify(v) ?? '');
}

function rowsTable(rows: Row[]): string {
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const head = `<tr>${cols.map((c) => `<th>${h(c)}</th>`).join('')}</tr>`;
  const body = rows.map((r) => `<tr>${cols.map((c) => `<td>${cell(r[c])}</td>`).join('')}</tr>`).join('');
  return `<table class="rows">${head}${body}</table>`;
}

function fileBlock(e: Evidence & { file: string }): string {
  if (!safeRelative(e.file)) return `<div>file: <code>${h(e.file)}</code></div>`;
  const href = h(encodeURI(e.file));
  return /\.(png|jpe?g|gif|webp)$/i.test(e.file) ? `<div><a href="${href}"><img src="${href}" alt="${h(e.label)}"></a></div>` : `<div><a href="${href}">${h(e.file)}</a></div>`;
}

function evidenceBlock(e: Evidence): string {
  const parts = [`<div class="ev"><b>${h(e.label)}</b>`];
  if (e.http) parts.push(httpBlock(e.http));
  if (e.data !== undefined) parts.push(isRows(e.data) ? rowsTable(e.data) : `<pre>${h(pretty(e.data))}</pre>`);
  if (e.file) parts.push(fileBlock({ ...e, file: e.file }));
  parts.push('</div>');
  return parts.join('');
}

function detail(r: CheckResult): string {
  if (r.outcome === 'passed' && r.evidence.length === 0) return '';
  const items: string[] = [];
  if (r.message) items.push(`<dt>message</dt><dd>${h(r.message)}</dd>`);
  if (r.source) items.push(`<dt>source</dt><dd><code>${h(r.source)}</code></dd>`);
  if (r.expected !== undefined) items.push(`<dt>expected</dt><dd><pre>${h(pretty(r.expected))}</pre></dd>`);
  if (r.observed !== undefined) items.push(`<dt>observed</dt><dd><pre>${h(pretty(r.observed))}</pre></dd>`);
  if (r.evidence.length > 0) items.push(`<dt>evidence</dt><dd>${r.evidence.map(evidenceBlock).join('')}</dd>`);
  if (items.length === 0) return '';
  const inner = `<dl class="detail">${items.join('')}</dl>`;
  // Failures and warnings are open; the rest stays folded to keep the page scannable.
  return r.outcome === 'failed' || r.outcome === 'warning' ? inner : `<details><summary>details</summary>${inner}</details>`;
}

function row(r: CheckResult): string {
  return (
    `<tr class="${r.outcome}" id="${h(`${r.suite}.${r.client ?? ''}.${r.id}`)}">` +
    `<td class="o">${h(r.outcome)}</td><td><code>${h(r.id)}</code><br>${h(r.title)}</td>` +
    `<td>${h(r.severity)}</td><td>${h(r.spec)}</td><td>${(r.durationMs / 1000).toFixed(2)}s</td>` +
    `<td>${detail(r)}</td></tr>`
  );
}

/** The interop scenarios at a glance, one row each: the application, and who it logged in as or
 *  why it could not (the step, the fix); the row links to the check with its transcript. */
function scenarioSection(results: readonly CheckResult[]): string[] {
  const scenarios = results.filter((r) => r.suite === 'scenarios').sort(rowOrder);
  if (scenarios.length === 0) return [];
  const out = ['<h2>Interop scenarios</h2><table><thead><tr><th>outcome</th><th>scenario</th><th>file and relying party</th><th>result</th></tr></thead><tbody>'];
  for (const r of scenarios) {
    // The evidence checkScenario (src/checks/scenarios.ts) keeps for a login that succeeded.
    const who = r.evidence.find((e) => e.label === 'logged in')?.data as { username?: string; groups?: string[] } | undefined;
    const refused = r.evidence.find((e) => e.label === 'refused as expected')?.data as { rule?: string; step?: string; title?: string } | undefined;
    const result =
      r.outcome === 'passed' && who?.username !== undefined ? `logged in as ${who.username}${who.groups?.length ? ` (groups: ${who.groups.join(', ')})` : ''}`
      : r.outcome === 'passed' && refused ? `refused as expected (${refused.rule}, ${refused.step} step): ${refused.title ?? ''}`
      : (r.message ?? '');
    out.push(`<tr class="${r.outcome}"><td class="o">${h(r.outcome)}</td><td><a href="#${h(`${r.suite}.${r.client ?? ''}.${r.id}`)}"><code>${h(r.id)}</code></a><br>${h(r.title)}</td><td>${h(r.spec)}</td><td>${h(result)}</td></tr>`);
  }
  out.push('</tbody></table>');
  return out;
}

/** The run's verdict as the CLI gives it (its exit code): judged against the target's expected
 *  results where it has them (a known failure passes, a changed verdict fails), else by failing
 *  checks. */
function verdictLine(failing: number, expected: RunMeta['expected']): string {
  const checks = (n: number) => `${n} failing check${n === 1 ? '' : 's'}`;
  if (expected?.updating) return `<span class="verdict pass">${h(`expected results written to ${expected.file} from this run, ${checks(failing)} (exit 0)`)}</span>`;
  if (expected?.changes !== undefined) {
    return expected.changes > 0
      ? `<span class="verdict fail">${h(`FAIL: ${expected.changes} verdict${expected.changes === 1 ? ' differs' : 's differ'} from ${expected.file} (exit 1)`)}</span>`
      : `<span class="verdict pass">${h(`PASS: verdicts match ${expected.file}, ${checks(failing)} known (exit 0)`)}</span>`;
  }
  return failing > 0 ? `<span class="verdict fail">FAIL: ${checks(failing)} (exit 1)</span>` : `<span class="verdict pass">PASS (exit 0)</span>`;
}

export function toHtml(results: readonly CheckResult[], meta: RunMeta): string {
  const s = summarize(results);
  const failing = failingCount(results);
  // Suites, then clients within a suite, are ordered by their worst outcome so failures come first.
  const suites = new Map<string, Map<string, CheckResult[]>>();
  for (const r of results) {
    const clients = suites.get(r.suite) ?? new Map<string, CheckResult[]>();
    suites.set(r.suite, clients);
    const list = clients.get(r.client ?? '') ?? [];
    list.push(r);
    clients.set(r.client ?? '', list);
  }
  const ordered = [...suites.entries()]
    .map(([name, clients]) => ({
      name,
      clients: [...clients.entries()].map(([client, list]) => ({ client, list: [...list].sort(rowOrder) })).sort((a, b) => byWorst(a.client, a.list, b.client, b.list)),
      all: [...clients.values()].flat(),
    }))
    .sort((a, b) => byWorst(a.name, a.all, b.name, b.all));
  const metaRows: [string, string | undefined][] = [
    ['target', meta.target],
    ['issuer', meta.issuer],
    ['profile', meta.profileFile],
    ['claims profile', meta.claimsProfile],
    ['started', meta.startedAt],
    ['finished', meta.finishedAt],
    ['harness', meta.harnessVersion],
    ['runtime', meta.runtime],
  ];
  const verdict = verdictLine(failing, meta.expected);

  const out: string[] = [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // No loads of any kind: the page must not call home or the provider when opened.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:">`,
    `<title>${h(`OIDC conformance: ${meta.target}`)}</title>`,
    `<style>${CSS}</style></head><body>`,
    `<h1>OIDC conformance: ${h(meta.target)}</h1>`,
    `<p>${verdict}</p>`,
    `<p class="counts"><span>${s.total} checks</span>${countsText(s).split(', ').map((c) => `<span>${h(c)}</span>`).join('')}</p>`,
    `<dl class="meta">${metaRows.filter((m) => m[1] !== undefined && m[1] !== '').map(([k, v]) => `<dt>${h(k)}</dt><dd>${h(v!)}</dd>`).join('')}</dl>`,
  ];
  if (meta.notes && meta.notes.length > 0) out.push(`<h2>Notes</h2><ul class="notes">${meta.notes.map((n) => `<li>${h(n)}</li>`).join('')}</ul>`);
  const roots = rootCauses(results);
  if (roots.length > 0) {
    // What to read first: each failure or error, with how many checks it kept from running.
    out.push('<h2>Root causes</h2><table><thead><tr><th>outcome</th><th>check</th><th>blocks</th><th>message</th></tr></thead><tbody>');
    for (const c of roots) {
      const r = c.result;
      const check = r ? `<a href="#${h(`${r.suite}.${r.client ?? ''}.${r.id}`)}"><code>${h(r.id)}</code></a>${r.client ? ` [${h(r.client)}]` : ''}` : `<code>${h(c.key)}</code>`;
      const met = metInSetup(c);
      out.push(`<tr class="${c.outcome}"><td class="o">${h(c.outcome)}</td><td>${check}</td><td>${c.blocks}</td><td>${h(`${met ? `${c.message} (${met})` : c.message}${sameText(c)}`)}</td></tr>`);
    }
    out.push('</tbody></table>');
  }
  out.push(...scenarioSection(results));
  if (ordered.length === 0) out.push('<p>No checks ran.</p>');
  for (const suite of ordered) {
    out.push(`<h2>${h(suite.name)}</h2>`);
    for (const { client, list } of suite.clients) {
      const c = summarize(list);
      out.push(`<h3>${client ? `client ${h(client)}` : 'provider'}: ${h(countsText(c))}</h3>`);
      out.push('<table><thead><tr><th>outcome</th><th>check</th><th>severity</th><th>spec</th><th>time</th><th>detail</th></tr></thead><tbody>');
      for (const r of list) out.push(row(r));
      out.push('</tbody></table>');
    }
  }
  out.push('</body></html>', '');
  return out.join('\n');
}
