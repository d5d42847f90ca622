// TLS targets (Authelia speaks OIDC only over https on its own host name): a CA and a server
// certificate made for each run, the host name mapped to loopback, and that CA trusted by the
// harness alone. Node's HTTP client gets a dispatcher that resolves the name to 127.0.0.1 and
// trusts the run's CA (nothing else changes, verification stays on); Chromium gets the same
// mapping and the server certificate's public key pinned with --ignore-certificate-errors-spki-list,
// which accepts exactly that key and no other certificate error.

import { createHash, webcrypto } from 'node:crypto';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { rootCertificates } from 'node:tls';
import { Agent, setGlobalDispatcher } from 'undici';

/** @peculiar/x509, loaded where a run certificate is made (the CLI, for a TLS target) and not in
 *  every process that only trusts it: with its ASN.1 schemas it is about 200 ms of CPU to load. */
async function loadX509(): Promise<typeof import('@peculiar/x509')> {
  // It resolves its algorithms through tsyringe, which needs the Reflect metadata API.
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(webcrypto as unknown as Crypto);
  return x509;
}

export interface RunTls {
  hostname: string;
  /** PEM of the run's CA certificate (trusted by the harness's HTTP client). */
  caPem: string;
  /** PEM of the server certificate (for the provider) and its PKCS#8 key. */
  certPem: string;
  keyPem: string;
  /** base64 SHA-256 of the server certificate's SubjectPublicKeyInfo (Chromium's pin). */
  spki: string;
}

const RSA: RsaHashedKeyGenParams = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };

function pem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${b64.replace(/\n$/, '')}\n-----END ${label}-----\n`;
}

/** A CA and a certificate for `hostname` (and 127.0.0.1), valid from an hour ago for two days. */
export async function makeRunTls(hostname: string): Promise<RunTls> {
  const x509 = await loadX509();
  const subtle = webcrypto.subtle;
  const notBefore = new Date(Date.now() - 3_600_000);
  const notAfter = new Date(Date.now() + 2 * 86_400_000);
  const caKeys = (await subtle.generateKey(RSA, true, ['sign', 'verify'])) as CryptoKeyPair;
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    name: 'CN=oidc-harness run CA',
    notBefore,
    notAfter,
    keys: caKeys,
    signingAlgorithm: RSA,
    extensions: [new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
  });
  const keys = (await subtle.generateKey(RSA, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.create({
    subject: `CN=${hostname}`,
    issuer: ca.subject,
    notBefore,
    notAfter,
    publicKey: keys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: RSA,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: hostname }, { type: 'ip', value: '127.0.0.1' }]),
    ],
  });
  const spkiDer = await subtle.exportKey('spki', keys.publicKey);
  return {
    hostname,
    caPem: ca.toString('pem'),
    certPem: cert.toString('pem'),
    keyPem: pem('PRIVATE KEY', await subtle.exportKey('pkcs8', keys.privateKey)),
    spki: createHash('sha256').update(Buffer.from(spkiDer)).digest('base64'),
  };
}

/** What a worker needs to reach a TLS target (passed in the environment as JSON). */
export interface TlsTrust {
  hostname: string;
  caPem: string;
  spki: string;
}

export function trustOf(tls: RunTls): TlsTrust {
  return { hostname: tls.hostname, caPem: tls.caPem, spki: tls.spki };
}

export const TLS_ENV = 'HARNESS_TLS_TRUST';

export function trustFromEnv(env: NodeJS.ProcessEnv = process.env): TlsTrust | undefined {
  const raw = env[TLS_ENV];
  if (!raw) return undefined;
  return JSON.parse(raw) as TlsTrust;
}

/** The harness's own HTTP client (undici, and Node's fetch, which reads the same global
 *  dispatcher) reaches the TLS target's host name on loopback and trusts the run's CA besides the
 *  usual roots. Verification stays on. */
export function applyTrust(trust: TlsTrust | undefined): void {
  if (!trust) return;
  setGlobalDispatcher(
    new Agent({
      connect: {
        ca: [...rootCertificates, trust.caPem],
        lookup: (hostname, options, callback) => {
          if (hostname !== trust.hostname) return dnsLookup(hostname, options, callback as never);
          const address: LookupAddress = { address: '127.0.0.1', family: 4 };
          if ((options as { all?: boolean }).all) return (callback as (e: null, a: LookupAddress[]) => void)(null, [address]);
          (callback as (e: null, a: string, f: number) => void)(null, address.address, address.family);
        },
      },
    }),
  );
}
