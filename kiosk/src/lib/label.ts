/**
 * Host names on small tiles: the whole name when it fits; else its first DNS label
 * ("node-012" of "node-012.fra1"); else the start and the end with an ellipsis between,
 * because in a fleet the names differ at the end (web-101, web-102), not the start. Pure.
 */
export function tileLabel(name: string, maxChars: number): string {
  const n = Math.max(1, Math.floor(maxChars));
  if (name.length <= n) return name;
  const dot = name.indexOf('.');
  const short = dot > 0 ? name.slice(0, dot) : name;
  if (short.length <= n) return short;
  if (n <= 2) return short.slice(-n);
  const tail = Math.ceil((n - 1) * 0.6);
  return `${short.slice(0, n - 1 - tail)}…${short.slice(-tail)}`;
}
