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
 *  not such an object. Stops listening after the line (the input is left paused, not closed: its
 *  end still tells that the CLI is gone, see watchCli). */
export function readRunEnv(input: NodeJS.ReadableStream): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const done = (settle: () => void) => {
      input.removeListener('data', onData);
      input.removeListener('end', onEnd);
      input.removeListener('error', onEnd);
      input.pause();
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

/** Calls `gone` once `input` (the runner's stdin, the CLI's end of a pipe) ends or fails: the CLI
 *  is gone, killed outright (SIGKILL, a closed terminal) before it could stop the run. Lets
 *  anything more flow past unread, and holds no process open (a socket's reference is dropped). */
export function watchCli(input: NodeJS.ReadableStream & { unref?: () => void }, gone: () => void): void {
  let called = false;
  const once = () => {
    if (called) return;
    called = true;
    gone();
  };
  input.on('end', once);
  input.on('error', once);
  input.resume();
  input.unref?.();
}

/** Ends this runner's process group at once (the runner leads it: src/cli/suite-runner.ts starts it
 *  detached): its workers with it; their browsers end with the pipes the workers held. */
function endRunGroup(): void {
  try {
    process.kill(-process.pid, 'SIGKILL');
  } catch {
    process.exit(2);
  }
}

/** In playwright.config.ts: when started by the CLI ahead of the provider, waits for the run's
 *  environment and puts it into this process's (so the suites, the reporters and the workers,
 *  started later with this environment, see it); otherwise does nothing. A runner whose CLI is
 *  gone exits (code 2, silently) instead of waiting on; one whose CLI goes later, during the run,
 *  ends with its workers (`gone`, default: its process group is killed), reporting nothing. */
export async function receiveRunEnv(env: NodeJS.ProcessEnv = process.env, input: NodeJS.ReadableStream = process.stdin, gone: () => void = endRunGroup): Promise<void> {
  if (env[RUN_ENV_FROM_STDIN] !== 'stdin') return;
  delete env[RUN_ENV_FROM_STDIN];
  try {
    Object.assign(env, await readRunEnv(input));
  } catch (err) {
    // The CLI gone (stopped at setup, or killed) has said what there is to say.
    if (!(err instanceof RunEnvMissing)) process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  }
  watchCli(input, gone);
}
