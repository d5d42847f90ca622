// The run's environment, as playwright.config.ts receives it from the CLI: one JSON object of
// strings on the runner's stdin (src/cli/suite-runner.ts). Loaded by the config in Playwright's
// runner and in every worker; only the runner reads stdin (the CLI sets RUN_ENV_FROM_STDIN for it
// alone, and it is gone from the environment the workers are started with).

/** In the runner's environment: read the run's environment from stdin before loading the suites. */
export const RUN_ENV_FROM_STDIN = 'HARNESS_RUN_ENV';

/** The input ended before the run's environment came: the CLI that started the runner is gone. */
export class RunEnvMissing extends Error {}

/** The first line of `input`, parsed as the run's environment (an object of strings).
 *  Rejects when the input ends first (the CLI stopped before the provider was up) or the line is
 *  not such an object. Stops reading after the line, so the input holds no process open. */
export function readRunEnv(input: NodeJS.ReadableStream & { destroy?: () => void }): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const done = (settle: () => void) => {
      input.removeListener('data', onData);
      input.removeListener('end', onEnd);
      input.removeListener('error', onEnd);
      input.destroy?.();
      settle();
    };
    const onData = (chunk: Buffer | string) => {
      buffered += chunk.toString();
      const newline = buffered.indexOf('\n');
      if (newline < 0) return;
      const line = buffered.slice(0, newline);
      done(() => {
        try {
          const env: unknown = JSON.parse(line);
          if (!env || typeof env !== 'object' || Array.isArray(env) || Object.values(env).some((v) => typeof v !== 'string')) throw new Error('not an object of strings');
          resolve(env as Record<string, string>);
        } catch (err) {
          reject(new Error(`the run's environment on stdin is not valid: ${err instanceof Error ? err.message : String(err)}`));
        }
      });
    };
    const onEnd = () => done(() => reject(new RunEnvMissing("stdin ended before the run's environment came (the CLI stopped)")));
    input.on('data', onData);
    input.on('end', onEnd);
    input.on('error', onEnd);
  });
}

/** In playwright.config.ts: when started by the CLI ahead of the provider, waits for the run's
 *  environment and puts it into this process's (so the suites, the reporters and the workers,
 *  started later with this environment, see it); otherwise does nothing. A runner whose CLI is
 *  gone exits (code 2, silently) instead of waiting on. */
export async function receiveRunEnv(env: NodeJS.ProcessEnv = process.env, input: NodeJS.ReadableStream = process.stdin): Promise<void> {
  if (env[RUN_ENV_FROM_STDIN] !== 'stdin') return;
  delete env[RUN_ENV_FROM_STDIN];
  try {
    Object.assign(env, await readRunEnv(input));
  } catch (err) {
    // The CLI gone (stopped at setup, or killed) has said what there is to say.
    if (!(err instanceof RunEnvMissing)) process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  }
}
