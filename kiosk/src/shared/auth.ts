/**
 * The kiosk token: taken from `?token=` (then kept in localStorage, so a reload of the bare
 * URL still works, and removed from the address bar), and the REST client that sends it as
 * `Authorization: Bearer`. A 401 means the token is unknown or revoked.
 */
import type { KioskDto } from '../../../protocol/kiosk.schema.js';

const STORAGE_KEY = 'rackpulse.kioskToken';

/** The token from the URL (stored, and stripped from the address bar) or from localStorage. */
export function takeToken(): string | null {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    try { localStorage.setItem(STORAGE_KEY, fromUrl); } catch { /* private mode: the token lives only in this page */ }
    url.searchParams.delete('token');
    history.replaceState(history.state, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  try { return localStorage.getItem(STORAGE_KEY); } catch { return null; }
}

export function forgetToken(): void {
  try { localStorage.removeItem(STORAGE_KEY); } catch { /* nothing stored */ }
}

/** The hub refused the token (401). */
export class UnauthorizedError extends Error {
  constructor() { super('unknown or revoked kiosk token'); this.name = 'UnauthorizedError'; }
}

/** A REST failure other than 401: the hub's error code and message, or the network's. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) { super(message); this.name = 'ApiError'; }
}

export class KioskApi {
  constructor(readonly token: string, private onUnauthorized: () => void = () => {}) {}

  /** Sends a request; resolves with the response for 2xx, throws UnauthorizedError on 401 and ApiError otherwise. */
  async request(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(path, {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store',
        signal,
      });
    } catch (err) {
      if (signal?.aborted) throw err;
      throw new ApiError(0, 'network', 'the hub is unreachable');
    }
    if (res.status === 401) { this.onUnauthorized(); throw new UnauthorizedError(); }
    if (!res.ok) {
      let code = 'http_' + res.status, message = `the hub answered ${res.status}`;
      try { const b = await res.json(); code = b?.error?.code ?? code; message = b?.error?.message ?? message; } catch { /* not JSON */ }
      throw new ApiError(res.status, code, message);
    }
    return res;
  }

  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    return (await this.request(method, path, body)).json() as Promise<T>;
  }

  /** This kiosk: its id, name, queue and whether it may acknowledge alerts. */
  me(): Promise<KioskDto> { return this.json<KioskDto>('GET', '/api/kiosk'); }
}
