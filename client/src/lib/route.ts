/**
 * Hash routes of the SPA (`#/` the landing page — the fleet for an admin, the accounts for a
 * customer —, `#/hosts/<id>`, `#/accounts/<id>`, `#/usage`, `#/admin`): parsing and building, no DOM.
 * Hash routing keeps the hub's SPA fallback trivial and survives any base path.
 */

export type Route =
  | { name: 'fleet' }
  | { name: 'host'; id: number }
  | { name: 'account'; id: number }
  | { name: 'usage' }
  | { name: 'admin' }
  | { name: 'notFound'; path: string };

/** The route a `location.hash` names; an empty hash or `#/` is the fleet. */
export function parseHash(hash: string): Route {
  const path = (hash.startsWith('#') ? hash.slice(1) : hash).replace(/\/+$/, '') || '/';
  if (path === '/') return { name: 'fleet' };
  const host = /^\/hosts\/([1-9][0-9]{0,15})$/.exec(path);
  if (host) return { name: 'host', id: Number(host[1]) };
  const account = /^\/accounts\/([1-9][0-9]{0,15})$/.exec(path);
  if (account) return { name: 'account', id: Number(account[1]) };
  if (path === '/usage') return { name: 'usage' };
  if (path === '/admin') return { name: 'admin' };
  return { name: 'notFound', path };
}

/** The `href` of a route, for links. */
export function hrefFor(route: Route): string {
  switch (route.name) {
    case 'fleet':
      return '#/';
    case 'host':
      return `#/hosts/${route.id}`;
    case 'account':
      return `#/accounts/${route.id}`;
    case 'usage':
      return '#/usage';
    case 'admin':
      return '#/admin';
    case 'notFound':
      return `#${route.path}`;
  }
}
