import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { readSettings, SettingsError } from './settings.ts';
import { thrown } from '../../test/thrown.ts';

describe('HARNESS_* settings', () => {
  it('defaults, and values read as meant: HARNESS_SKEW in seconds or as a duration', () => {
    expect(readSettings({})).toEqual({ skew: 5, faults: [] });
    expect(readSettings({ HARNESS_SKEW: '5s' }).skew).toBe(5);
    expect(readSettings({ HARNESS_SKEW: '10' }).skew).toBe(10);
    expect(readSettings({ HARNESS_SKEW: '1m' }).skew).toBe(60);
    expect(readSettings({ HARNESS_WORKERS: '3', HARNESS_EMBEDDED_FAULTS: 'cors-wildcard, claims-leak' })).toMatchObject({ workers: 3, faults: ['cors-wildcard', 'claims-leak'] });
  });
  it('a bad value is one line naming the variable, never NaN', () => {
    expect(thrown(SettingsError, () => readSettings({ HARNESS_SKEW: 'five' })).message).toBe('HARNESS_SKEW="five": not a number of seconds or a duration (e.g. 5 or 5s)');
    expect(thrown(SettingsError, () => readSettings({ HARNESS_SKEW: '-1' })).message).toMatch(/^HARNESS_SKEW="-1": /);
    expect(thrown(SettingsError, () => readSettings({ HARNESS_WORKERS: '0' })).message).toMatch(/^HARNESS_WORKERS="0": not a positive whole number/);
    expect(thrown(SettingsError, () => readSettings({ HARNESS_WORKERS: '2.5' })).message).toMatch(/^HARNESS_WORKERS/);
    expect(thrown(SettingsError, () => readSettings({ HARNESS_EMBEDDED_FAULTS: 'cors-wildcard,nope' })).message).toMatch(/^HARNESS_EMBEDDED_FAULTS="cors-wildcard,nope": unknown fault nope/);
    expect(thrown(SettingsError, () => readSettings({ HARNESS_CHROMIUM: ' ' })).message).toMatch(/^HARNESS_CHROMIUM=" ": empty/);
    // A folder (the browser's install folder, say) is not a browser to launch.
    expect(thrown(SettingsError, () => readSettings({ HARNESS_CHROMIUM: os.tmpdir() })).message).toMatch(/^HARNESS_CHROMIUM=".*": not an executable file/);
    expect(thrown(SettingsError, () => readSettings({ HARNESS_SKWE: '5' })).message).toMatch(/^HARNESS_SKWE: unknown setting \(known: HARNESS_SKEW, /);
  });
  it('the variables the CLI sets for its workers are not the user\'s mistakes', () => {
    expect(() => readSettings({ HARNESS_RUN_INPUTS: '/x', HARNESS_ISSUER: 'http://x', HARNESS_REPORT_DIR: '/r', HARNESS_SECRETS_FILE: '/s', HARNESS_RUN_META: '{}', HARNESS_TLS_TRUST: '{}', HARNESS_REVERSE: '1' })).not.toThrow();
  });
});
