// The run's environment handed to Playwright's runner on its stdin: one JSON line, read once; a
// CLI gone before it came ends the wait instead of leaving a runner waiting for ever.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readRunEnv, receiveRunEnv, RunEnvMissing, RUN_ENV_FROM_STDIN } from './run-env.ts';

describe('readRunEnv', () => {
  it('reads the first line, in pieces, as the environment, and stops reading', async () => {
    const input = new PassThrough();
    const env = readRunEnv(input);
    input.write('{"HARNESS_ISSUER":"http://127.0.0.1:1/",');
    input.write('"HARNESS_WORKERS":"2"}\n{"ignored":"x"}\n');
    expect(await env).toEqual({ HARNESS_ISSUER: 'http://127.0.0.1:1/', HARNESS_WORKERS: '2' });
    expect(input.listenerCount('data')).toBe(0);
    expect(input.isPaused()).toBe(true);
  });

  it('ends with RunEnvMissing when the input ends first (the CLI stopped)', async () => {
    const input = new PassThrough();
    const env = readRunEnv(input);
    input.end('{"HARNESS_ISSUER":');
    await expect(env).rejects.toBeInstanceOf(RunEnvMissing);
  });

  it('refuses a line that is not an object of strings', async () => {
    for (const line of ['not json', '["a"]', '{"HARNESS_WORKERS":2}']) {
      const input = new PassThrough();
      const env = readRunEnv(input);
      input.write(`${line}\n`);
      await expect(env).rejects.toThrow(/run's environment on stdin is not valid/);
    }
  });
});

describe('receiveRunEnv', () => {
  it('does nothing where the CLI did not ask for it (a worker, or Playwright started by hand)', async () => {
    const env: NodeJS.ProcessEnv = { HARNESS_ISSUER: 'kept' };
    const input = new PassThrough();
    await receiveRunEnv(env, input);
    expect(env).toEqual({ HARNESS_ISSUER: 'kept' });
    expect(input.destroyed).toBe(false);
  });

  it('puts the environment in and drops its own flag, so the workers started later wait for nothing', async () => {
    const env: NodeJS.ProcessEnv = { [RUN_ENV_FROM_STDIN]: 'stdin' };
    const input = new PassThrough();
    const received = receiveRunEnv(env, input, () => undefined);
    input.write('{"HARNESS_REPORT_DIR":"/tmp/r"}\n');
    await received;
    expect(env).toEqual({ HARNESS_REPORT_DIR: '/tmp/r' });
  });

  it('ends the run when the CLI goes after the hand-over (its end of stdin closes), once', async () => {
    const env: NodeJS.ProcessEnv = { [RUN_ENV_FROM_STDIN]: 'stdin' };
    const input = new PassThrough();
    let gone = 0;
    const received = receiveRunEnv(env, input, () => gone++);
    input.write('{"HARNESS_REPORT_DIR":"/tmp/r"}\n');
    await received;
    input.write('anything more is dropped\n');
    await new Promise((resolve) => setImmediate(resolve));
    expect(gone).toBe(0);
    input.end();
    await new Promise((resolve) => input.once('end', resolve));
    input.emit('error', new Error('EPIPE'));
    expect(gone).toBe(1);
  });
});
