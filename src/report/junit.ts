// junit.xml for CI: one <testsuite> per suite, one <testcase> per check and client.

import type { CheckResult } from '../model/check.ts';
import { byPosition, detailText, type RunMeta } from './meta.ts';

// XML 1.0 forbids these even as character references: show them instead of dropping them.
// eslint-disable-next-line no-control-regex
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function visible(s: string): string {
  return s.replace(INVALID_XML, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function xmlText(s: string): string {
  return visible(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Attribute values also keep their line breaks and tabs, which parsers would otherwise normalise to spaces. */
function xmlAttr(s: string): string {
  return xmlText(s).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}

function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

function testcase(r: CheckResult): string {
  const classname = r.client ? `${r.suite}.${r.client}` : r.suite;
  const open = `    <testcase classname="${xmlAttr(classname)}" name="${xmlAttr(`${r.id}: ${r.title}`)}" time="${seconds(r.durationMs)}"`;
  switch (r.outcome) {
    case 'passed':
      return `${open}/>`;
    case 'warning':
      return `${open}>\n      <system-out>${xmlText(`WARNING: ${detailText(r)}`)}</system-out>\n    </testcase>`;
    case 'skipped':
      return `${open}>\n      <skipped message="${xmlAttr(r.message ?? 'skipped')}"/>\n    </testcase>`;
    // Not <skipped>: a blocked check fails the run (exit 1), and a CI system shows a suite of
    // passes and skips as green.
    case 'blocked':
      return `${open}>\n      <failure message="${xmlAttr(r.message ?? `blocked by ${r.blockedBy ?? 'a prerequisite'}`)}" type="blocked">${xmlText(detailText(r))}</failure>\n    </testcase>`;
    case 'error':
      return `${open}>\n      <error message="${xmlAttr(r.message ?? 'error')}" type="error">${xmlText(detailText(r))}</error>\n    </testcase>`;
    case 'failed':
      return `${open}>\n      <failure message="${xmlAttr(r.message ?? 'failed')}" type="${xmlAttr(r.severity)}">${xmlText(detailText(r))}</failure>\n    </testcase>`;
  }
}

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  ms: number;
}

function count(results: readonly CheckResult[]): Counts {
  return {
    tests: results.length,
    failures: results.filter((r) => r.outcome === 'failed' || r.outcome === 'blocked').length,
    errors: results.filter((r) => r.outcome === 'error').length,
    skipped: results.filter((r) => r.outcome === 'skipped').length,
    ms: results.reduce((t, r) => t + r.durationMs, 0),
  };
}

function countAttrs(c: Counts): string {
  return `tests="${c.tests}" failures="${c.failures}" errors="${c.errors}" skipped="${c.skipped}" time="${seconds(c.ms)}"`;
}

export function toJUnit(results: readonly CheckResult[], meta: RunMeta): string {
  const sorted = [...results].sort(byPosition);
  const suites = new Map<string, CheckResult[]>();
  for (const r of sorted) {
    const list = suites.get(r.suite) ?? [];
    list.push(r);
    suites.set(r.suite, list);
  }
  const props: [string, string | undefined][] = [
    ['target', meta.target],
    ['issuer', meta.issuer],
    ['profileFile', meta.profileFile],
    ['claimsProfile', meta.claimsProfile],
    ['image', meta.image],
    ['harnessVersion', meta.harnessVersion],
    ['runtime', meta.runtime],
    ['startedAt', meta.startedAt],
    ['finishedAt', meta.finishedAt],
  ];
  const properties = props
    .filter((p): p is [string, string] => p[1] !== undefined)
    .map(([name, value]) => `      <property name="${xmlAttr(name)}" value="${xmlAttr(value)}"/>`)
    .join('\n');
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="${xmlAttr(`oidc-harness ${meta.target}`)}" ${countAttrs(count(sorted))}>`];
  for (const [name, list] of suites) {
    out.push(`  <testsuite name="${xmlAttr(name)}" ${countAttrs(count(list))} timestamp="${xmlAttr(meta.startedAt)}">`);
    out.push(`    <properties>\n${properties}\n    </properties>`);
    for (const r of list) out.push(testcase(r));
    out.push('  </testsuite>');
  }
  out.push('</testsuites>', '');
  return out.join('\n');
}
