/**
 * What a kiosk token may reach over REST, and nothing else. The hub's
 * middleware refuses every other request made with a kiosk token (403) before
 * any route runs, so a new endpoint is closed to kiosks until it is listed
 * here; the routes below still check the kiosk themselves (e.g. `canAck`, its
 * own queue only).
 */

const ALLOWED: { method: string; path: RegExp }[] = [
  { method: 'GET', path: /^\/api\/kiosk$/ },
  // The fleet, read-only.
  { method: 'GET', path: /^\/api\/hosts$/ },
  { method: 'GET', path: /^\/api\/hosts\/[^/]+$/ },
  { method: 'GET', path: /^\/api\/hosts\/[^/]+\/series$/ },
  // Alerts; acknowledging needs canAck (checked by the route).
  { method: 'GET', path: /^\/api\/alerts$/ },
  { method: 'POST', path: /^\/api\/alerts\/[^/]+\/ack$/ },
  // Its own queue only (checked by authorizeQueue).
  { method: 'POST', path: /^\/api\/queues\/[^/]+\/messages$/ },
  { method: 'GET', path: /^\/api\/queues\/[^/]+\/messages$/ },
  { method: 'DELETE', path: /^\/api\/queues\/[^/]+\/consumers\/[^/]+$/ },
  { method: 'GET', path: /^\/api\/queues\/[^/]+$/ },
];

/** Whether a request with a kiosk token may go on to its route. HEAD counts as GET. */
export function kioskMayRequest(method: string, path: string): boolean {
  const m = method === 'HEAD' ? 'GET' : method;
  const p = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  return ALLOWED.some((a) => a.method === m && a.path.test(p));
}

/** The bearer token of an `Authorization` header, if it has one. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S{1,200})\s*$/i.exec(header);
  return m ? m[1] : undefined;
}
