// A provider in a container, started with Testcontainers from a definition under docker/: the
// image (built from its folder when absent), config files filled in with the port picked for
// this run, the same port inside and out (the issuer must be what the host reaches), a readiness
// wait, provisioning steps, then discovery. Logs go to the report folder; stop() removes it.
// Ryuk cannot be pulled on closed networks, so the harness removes its own containers, and
// sweeps those left by a run that was killed outright.

import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { ContainerSpec, TargetProfile } from '../model/target.ts';
import type { StartedTarget } from './types.ts';
import { fillTemplate } from './template.ts';
import { freePort } from './port.ts';
import { waitForDiscovery } from './wait.ts';
import { provision } from './provision/index.ts';
import { applyTrust, makeRunTls, trustOf, type TlsTrust } from './tls.ts';
import { processAlive } from './alive.ts';
import { generateKeyPairSync } from 'node:crypto';

/** A signing key for the provider, made for the run (never a key kept in the repository). */
function rsaPrivateKeyPem(): string {
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** No container engine answered: container targets cannot run here (exit code 2 at the CLI). */
class NoContainerEngine extends Error {}

export interface ContainerStartOptions {
  /** Where `container-<name>.log` is written. */
  reportDir?: string;
  /** Applied to every log line before it is written. */
  redact?: (text: string) => string;
  /** Build the image even when it exists (a changed Dockerfile). */
  rebuild?: boolean;
  /** Called as soon as there is something to stop (a container, a command's process), so an
   *  interrupt during start still removes it. */
  track?: (stop: () => Promise<void>) => void;
}

const OWNER_LABEL = 'oidc-harness.owner-pid';
const ENGINE_TIMEOUT_MS = 5_000;

type Testcontainers = typeof import('testcontainers');

/** DOCKER_HOST names the engine the user means: Testcontainers would quietly fall back to the
 *  default socket when it does not answer, so it is asked first. */
async function pingDockerHost(host: string): Promise<void> {
  const { Agent, request } = await import('undici');
  const unix = host.startsWith('unix://') ? host.slice('unix://'.length) : undefined;
  const url = unix ? 'http://localhost/_ping' : `${host.replace(/^tcp:/, 'http:')}/_ping`;
  const dispatcher = new Agent(unix ? { connect: { socketPath: unix } } : {});
  try {
    const res = await request(url, { dispatcher, signal: AbortSignal.timeout(ENGINE_TIMEOUT_MS) });
    await res.body.dump();
    if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
  } catch (err) {
    throw new NoContainerEngine(`no Docker engine answers at DOCKER_HOST=${host} (${err instanceof Error ? err.message : String(err)}): container targets need one; start dockerd, or run the embedded default (npm run conformance)`);
  } finally {
    await dispatcher.close();
  }
}

async function engine(): Promise<{ tc: Testcontainers; client: Awaited<ReturnType<Testcontainers['getContainerRuntimeClient']>> }> {
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  if (process.env.DOCKER_HOST) await pingDockerHost(process.env.DOCKER_HOST);
  const tc = await import('testcontainers');
  let timer: NodeJS.Timeout | undefined;
  try {
    const client = await Promise.race([
      tc.getContainerRuntimeClient(),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ENGINE_TIMEOUT_MS} ms`)), ENGINE_TIMEOUT_MS))),
    ]);
    return { tc, client };
  } catch (err) {
    throw new NoContainerEngine(`no Docker engine answers (${err instanceof Error ? err.message : String(err)}): container targets need one; start dockerd, or run the embedded default (npm run conformance)`);
  } finally {
    clearTimeout(timer);
  }
}

/** Removes containers whose harness process is gone (a run killed with SIGKILL cleans up nothing). */
async function sweepOrphans(client: Awaited<ReturnType<Testcontainers['getContainerRuntimeClient']>>): Promise<number> {
  let removed = 0;
  for (const info of await labelled(client)) {
    const owner = Number(info.Labels?.[OWNER_LABEL]);
    if (!owner || processAlive(owner)) continue;
    await client.container.getById(info.Id).remove({ force: true }).then(() => removed++, () => undefined);
  }
  return removed;
}

/** Every container the harness started, running or not. */
async function labelled(client: Awaited<ReturnType<Testcontainers['getContainerRuntimeClient']>>) {
  return client.container.dockerode.listContainers({ all: true, filters: { label: [OWNER_LABEL] } });
}

function runVars(port: number): Record<string, string | undefined> {
  return { ...process.env, PORT: String(port) };
}

function logSink(file: string | undefined, redact: (t: string) => string): { consume: (s: Readable) => void; close: () => Promise<void> } {
  if (!file) return { consume: (s) => void s.resume(), close: async () => undefined };
  const out: WriteStream = createWriteStream(file);
  let pending = '';
  return {
    consume: (stream) => {
      stream.on('data', (chunk: Buffer | string) => {
        pending += chunk.toString();
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) out.write(`${redact(line)}\n`);
      });
    },
    close: () =>
      new Promise((resolve) => {
        if (pending) out.write(`${redact(pending)}\n`);
        out.end(() => resolve());
      }),
  };
}

export async function startContainer(profile: TargetProfile, options: ContainerStartOptions = {}): Promise<StartedTarget> {
  if (profile.start.mode !== 'container') throw new Error('not a container target');
  const spec: ContainerSpec = profile.start;
  const issuerTemplate = profile.issuer;
  if (!issuerTemplate) throw new Error(`${profile.file}: issuer is required for container targets`);
  const { tc, client } = await engine();
  const notes: string[] = [];
  const swept = await sweepOrphans(client);
  if (swept) notes.push(`removed ${swept} container(s) left by an earlier run that was killed`);

  const port = spec.port === 'auto' ? await freePort() : spec.port;
  const vars = runVars(port);
  const where = path.basename(profile.file);
  const issuer = fillTemplate(issuerTemplate, vars, `${where}: issuer`).replace(/\/$/, '');

  const image = tc.ImageName.fromString(spec.image);
  const exists = await client.image.exists(image);
  if (spec.build && (!exists || options.rebuild)) {
    const args = Object.fromEntries(Object.entries(spec.build.args).map(([k, v]) => [k, fillTemplate(v, vars, `${where}: start.build.args.${k}`)]));
    const started = Date.now();
    try {
      await tc.GenericContainer.fromDockerfile(spec.build.context, spec.build.dockerfile).withBuildArgs(args).build(spec.image, { deleteOnExit: false });
    } catch (err) {
      throw new Error(`building ${spec.image} from ${spec.build.context} failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    }
    notes.push(`image ${spec.image} built from ${path.relative(process.cwd(), spec.build.context) || '.'} in ${((Date.now() - started) / 1000).toFixed(1)} s (${Object.entries(args).map(([k, v]) => `${k}=${v}`).join(', ') || 'no build args'})`);
  } else if (!exists) {
    notes.push(`image ${spec.image} not present: pulling`);
  }

  const files = spec.files.map((f) => {
    if (typeof f.source !== 'string') return { content: rsaPrivateKeyPem(), target: f.target };
    const raw = readFileSync(f.source, 'utf8');
    return { content: f.template ? fillTemplate(raw, vars, path.relative(process.cwd(), f.source)) : raw, target: f.target };
  });
  let trust: TlsTrust | undefined;
  if (spec.tls) {
    const tls = await makeRunTls(spec.tls.hostname);
    files.push({ content: tls.certPem, target: spec.tls.certificate }, { content: tls.keyPem, target: spec.tls.key });
    trust = trustOf(tls);
    // This process (readiness, provisioning) reaches the name too; workers get it through the run.
    applyTrust(trust);
    notes.push(`TLS: a CA and a certificate for ${tls.hostname} made for this run; ${tls.hostname} mapped to 127.0.0.1 for the harness and its browser`);
  }
  const env = Object.fromEntries(Object.entries(spec.env).map(([k, v]) => [k, fillTemplate(v, vars, `${where}: start.env.${k}`)]));
  const issuerUrl = new URL(issuer);
  const tls = issuerUrl.protocol === 'https:';
  const readyPath = spec.readyPath ?? `${issuerUrl.pathname.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const sink = logSink(options.reportDir ? path.join(options.reportDir, `container-${profile.name}.log`) : undefined, options.redact ?? ((t) => t));

  // A TLS provider answers only on its own host name with the run's certificate, which the
  // engine's probe neither resolves nor trusts: it is waited for by its log line or its port, and
  // the harness itself then checks discovery with the run's trust.
  const wait = spec.readyLog
    ? tc.Wait.forLogMessage(spec.readyLog)
    : tls
      ? tc.Wait.forListeningPorts()
      : tc.Wait.forHttp(readyPath, port).forStatusCode(200);
  let container = new tc.GenericContainer(spec.image)
    .withExposedPorts({ container: port, host: port })
    .withEnvironment(env)
    .withLabels({ [OWNER_LABEL]: String(process.pid), 'oidc-harness.target': profile.name })
    .withLogConsumer((s) => sink.consume(s))
    .withWaitStrategy(wait)
    .withStartupTimeout(spec.readyTimeoutMs);
  if (files.length) container = container.withCopyContentToContainer(files);
  if (spec.command) container = container.withCommand(spec.command.map((c, i) => fillTemplate(c, vars, `${where}: start.command[${i}]`)));

  const started = Date.now();
  let running: Awaited<ReturnType<typeof container.start>> | undefined;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (running) await running.stop({ remove: true, timeout: 5_000 }).catch(() => undefined);
    else await removeByLabel(client, profile.name);
    await sink.close();
  };
  options.track?.(stop);
  try {
    running = await container.start();
  } catch (err) {
    await stop();
    throw new Error(`container ${spec.image} did not become ready on port ${port}${readyPath}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)} (log: container-${profile.name}.log)`);
  }
  const readyMs = Date.now() - started;
  try {
    notes.push(...(await provision(spec.provision, { profile, issuer, port, container: running })));
    await waitForDiscovery(issuer, Math.max(2_000, spec.readyTimeoutMs - (Date.now() - started)));
  } catch (err) {
    await stop();
    throw err;
  }
  const inspect = await client.image.inspect(image).catch(() => undefined);
  notes.unshift(`container ${spec.image}${inspect ? ` (${inspect.Id.slice(0, 19)})` : ''} on port ${port}: ready in ${readyMs} ms, with discovery in ${Date.now() - started} ms`);
  return { name: profile.name, issuer, notes, image: spec.image, readyMs: Date.now() - started, stop, ...(trust ? { tls: trust } : {}) };
}

/** A container whose start() never returned is found by its labels and removed. */
async function removeByLabel(client: Awaited<ReturnType<Testcontainers['getContainerRuntimeClient']>>, target: string): Promise<void> {
  for (const info of await labelled(client).catch(() => [])) {
    if (info.Labels?.[OWNER_LABEL] === String(process.pid) && info.Labels?.['oidc-harness.target'] === target) {
      await client.container.getById(info.Id).remove({ force: true }).catch(() => undefined);
    }
  }
}
