/**
 * The hub's REST API under `/api`, same origin, cookie-authenticated.
 * Every failure becomes an `ApiRequestError` carrying the hub's `{error: {code, message}}`.
 */
import type { ApiError, UserDto } from '../../../protocol/api.types.js';

/** A request that failed: the hub's error, or `network` when it could not be reached. */
export class ApiRequestError extends Error {
  constructor(
    /** HTTP status; 0 when the hub could not be reached. */
    readonly status: number,
    /** The hub's machine-readable code, or `network` / `http_<status>`. */
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }
}

function isApiError(body: unknown): body is ApiError {
  const e = (body as ApiError | null)?.error;
  return typeof e === 'object' && e !== null && typeof e.code === 'string' && typeof e.message === 'string';
}

/** JSON request to `/api<path>`; resolves to the parsed body, or undefined for 204. */
export async function apiRequest<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`/api${path}`, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiRequestError(0, 'network', 'Cannot reach the hub. Check your connection and try again.');
  }
  if (res.status === 204) return undefined as T;
  const parsed: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    if (isApiError(parsed)) throw new ApiRequestError(res.status, parsed.error.code, parsed.error.message);
    throw new ApiRequestError(res.status, `http_${res.status}`, `The hub answered ${res.status} ${res.statusText}.`.trim());
  }
  return parsed as T;
}

/** `POST /api/session`: sign in; the hub sets the session cookie. */
export async function createSession(email: string, password: string): Promise<UserDto> {
  return (await apiRequest<{ user: UserDto }>('POST', '/session', { email, password })).user;
}

/** `DELETE /api/session`: sign out. */
export async function deleteSession(): Promise<void> {
  await apiRequest<void>('DELETE', '/session');
}

/** `GET /api/me`: the signed-in user, or null without a valid session (401). */
export async function fetchMe(): Promise<UserDto | null> {
  try {
    return (await apiRequest<{ user: UserDto }>('GET', '/me')).user;
  } catch (e) {
    if (e instanceof ApiRequestError && e.status === 401) return null;
    throw e;
  }
}
