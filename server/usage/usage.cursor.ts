/**
 * The opaque `after` cursor of `GET /api/usage`: the sort key of the last row of a page,
 * base64url JSON. Bound to its sort order; anything unreadable is a 400, never a 500.
 */
import { z } from 'zod';

export type UsageSort = 'account' | 'total';
/** Where a page starts: after this account (by name), or after this (total, account) (biggest first). */
export type UsageKey = { sort: 'account'; account: string } | { sort: 'total'; totalBytes: number; account: string };

const accountKey = z.tuple([z.literal('a'), z.string().min(1).max(64)]);
const totalKey = z.tuple([z.literal('t'), z.number().int().nonnegative(), z.string().min(1).max(64)]);

export function encodeCursor(k: UsageKey): string {
  const v = k.sort === 'account' ? ['a', k.account] : ['t', k.totalBytes, k.account];
  return Buffer.from(JSON.stringify(v)).toString('base64url');
}

/** The key in `cursor`, or null when it is not a cursor of this sort order. */
export function decodeCursor(cursor: string, sort: UsageSort): UsageKey | null {
  if (cursor.length > 400 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  let v: unknown;
  try { v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')); } catch { return null; }
  if (sort === 'account') {
    const r = accountKey.safeParse(v);
    return r.success ? { sort, account: r.data[1] } : null;
  }
  const r = totalKey.safeParse(v);
  return r.success ? { sort, totalBytes: r.data[1], account: r.data[2] } : null;
}
