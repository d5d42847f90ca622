// The scenario runner's terminal output: the redacted transcript and the verdict with its diagnosis.

import type { Redactor } from '../report/redact.ts';
import type { TranscriptEntry } from '../rp/app.ts';
import type { ScenarioVerdict } from '../scenarios/run.ts';

/** A body shortened for the terminal: JSON members on one line, long values cut. */
function shortBody(body: string | undefined): string {
  if (!body) return '';
  const oneLine = body.replace(/\s+/g, ' ').trim();
  return oneLine.length > 400 ? `${oneLine.slice(0, 397)}...` : oneLine;
}

export function formatTranscript(entries: TranscriptEntry[], redactor: Redactor): string {
  const lines: string[] = [];
  entries.forEach((e, i) => {
    // The client authentication a request carried: its scheme shows (Basic, Bearer), never its value.
    const auth = Object.entries(e.request.headers ?? {}).find(([k]) => k.toLowerCase() === 'authorization')?.[1];
    const scheme = auth ? /^\s*([A-Za-z][\w-]*)/.exec(auth)?.[1] : undefined;
    lines.push(`  ${i + 1}. [${e.step}] ${e.request.method} ${e.request.url}${scheme ? `\n       authorization: ${scheme} [REDACTED]` : ''}${e.request.body ? `\n       body: ${shortBody(e.request.body)}` : ''}`);
    if (e.response) {
      const type = e.response.headers?.['content-type'];
      lines.push(`       -> HTTP ${e.response.status}${type ? ` (${type})` : ''}${e.response.body ? `: ${shortBody(e.response.body)}` : ''}`);
    }
  });
  return redactor.text(lines.join('\n'));
}

export function formatVerdict(v: ScenarioVerdict, redactor: Redactor): string {
  if (v.outcome === 'skipped') return `SKIP ${v.message}`;
  const lines = [`${v.outcome === 'passed' ? 'PASS' : 'FAIL'} ${v.message}`];
  // Also for a refusal the scenario expects: the diagnosis is what a person came for.
  const d = v.login.diagnosis;
  if (d) {
    lines.push(v.outcome === 'passed' ? 'diagnosis (the refusal this scenario expects):' : 'diagnosis:');
    lines.push(`  step:     ${d.step}`);
    // A model rule's title names what the application rejects; the others say what happened.
    const modelRule = !/^(identity\.|provider\.|openid-client$)/.test(d.rule);
    lines.push(`  rule:     ${d.rule}: ${modelRule ? `the application rejects ${d.title}` : d.title}`);
    lines.push(`  source:   ${d.source}`);
    lines.push(`  expected: ${d.expected}`);
    lines.push(`  observed: ${typeof d.observed === 'string' ? d.observed : JSON.stringify(d.observed)}`);
    if (d.fix) lines.push(`  fix:      ${d.fix}`);
  }
  return redactor.text(lines.join('\n'));
}

