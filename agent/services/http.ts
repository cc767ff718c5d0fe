/**
 * Service check: an HTTP(S) URL answering with an expected status. Only the
 * status line and headers are awaited; the body is never read. Redirects are
 * the answer unless `followRedirects` allows some (to http(s) URLs only).
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { performance } from 'node:perf_hooks';
import { AGENT_VERSION } from '../version.js';
import { errorReason, since, timeoutReason, type CheckOutcome } from './outcome.js';
import type { HttpCheck } from './spec.js';

type HttpSpec = Pick<HttpCheck, 'url' | 'method' | 'expectStatus' | 'followRedirects' | 'tlsVerify'>;

/** One request; resolves with the status and Location, or rejects with the socket error. */
function head(url: URL, spec: HttpSpec, signal: AbortSignal): Promise<{ status: number; location?: string }> {
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
      method: spec.method,
      // No pooled connection: every check measures a fresh connect.
      agent: false,
      signal,
      rejectUnauthorized: spec.tlsVerify,
      headers: { 'user-agent': `rackpulse-agent/${AGENT_VERSION}`, accept: '*/*', connection: 'close' },
    }, (res: IncomingMessage) => {
      resolve({ status: res.statusCode ?? 0, location: res.headers.location });
      res.destroy();
    });
    req.once('error', reject);
    req.end();
  });
}

/** Request `spec.url`; up when the (final) status is expected, within `timeoutMs` overall. Never rejects. */
export async function checkHttp(spec: HttpSpec, timeoutMs: number): Promise<CheckOutcome> {
  const t0 = performance.now();
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  try {
    let url = new URL(spec.url);
    for (let hop = 0; ; hop++) {
      const r = await head(url, spec, ac.signal);
      if (r.status >= 300 && r.status < 400 && r.location && hop < spec.followRedirects) {
        const next = new URL(r.location, url);
        if (!/^https?:$/.test(next.protocol)) return { status: 'down', latencyMs: since(t0), reason: `HTTP ${r.status} to a non-HTTP URL` };
        url = next;
        continue;
      }
      const up = spec.expectStatus ? spec.expectStatus.includes(r.status) : r.status >= 200 && r.status < 400;
      return up
        ? { status: 'up', latencyMs: since(t0), reason: `HTTP ${r.status}` }
        : { status: 'down', latencyMs: since(t0), reason: spec.expectStatus ? `HTTP ${r.status}, expected ${spec.expectStatus.join(' or ')}` : `HTTP ${r.status}` };
    }
  } catch (e) {
    const reason = ac.signal.aborted ? timeoutReason(timeoutMs) : errorReason(e);
    return { status: 'down', latencyMs: since(t0), reason };
  } finally {
    clearTimeout(timer);
  }
}
