import { describe, expect, it } from 'vitest';
import { fillTemplate, TemplateError } from './template.ts';

describe('fillTemplate', () => {
  it('fills run values, environment values and defaults', () => {
    expect(fillTemplate('port=${PORT} base=${BASE:-debian:bookworm-slim} x=${X}', { PORT: '4593', X: 'y' }, 'f')).toBe('port=4593 base=debian:bookworm-slim x=y');
  });
  it('prefers a set value over the default, and treats empty as unset', () => {
    expect(fillTemplate('${BASE:-a}', { BASE: 'b' }, 'f')).toBe('b');
    expect(fillTemplate('${BASE:-a}', { BASE: '' }, 'f')).toBe('a');
  });
  it('refuses a name with no value and no default, naming where', () => {
    expect(() => fillTemplate('x ${NOPE} y', {}, 'glewlwyd.conf')).toThrow(TemplateError);
    expect(() => fillTemplate('x ${NOPE} y', {}, 'glewlwyd.conf')).toThrow(/glewlwyd.conf: \$\{NOPE\} has no value/);
  });
  it('leaves other dollar forms alone', () => {
    expect(fillTemplate('$HOME $1 ${', {}, 'f')).toBe('$HOME $1 ${');
  });
});
