/**
 * Hash routes of the SPA (`#/`, `#/hosts/<id>`): parsing and building, no DOM.
 * Hash routing keeps the hub's SPA fallback trivial and survives any base path.
 */

export type Route =
  | { name: 'fleet' }
  | { name: 'host'; id: number }
  | { name: 'notFound'; path: string };

/** The route a `location.hash` names; an empty hash or `#/` is the fleet. */
export function parseHash(hash: string): Route {
  const path = (hash.startsWith('#') ? hash.slice(1) : hash).replace(/\/+$/, '') || '/';
  if (path === '/') return { name: 'fleet' };
  const host = /^\/hosts\/([1-9][0-9]{0,15})$/.exec(path);
  if (host) return { name: 'host', id: Number(host[1]) };
  return { name: 'notFound', path };
}

/** The `href` of a route, for links. */
export function hrefFor(route: Route): string {
  switch (route.name) {
    case 'fleet':
      return '#/';
    case 'host':
      return `#/hosts/${route.id}`;
    case 'notFound':
      return `#${route.path}`;
  }
}
