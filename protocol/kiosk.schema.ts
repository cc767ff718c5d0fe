/**
 * The NOC kiosk: a wall display (`/kiosk/`) and a touchscreen controller
 * (`/kiosk/touch`) opened by URL with a kiosk token (`?token=`). Both talk to the hub
 * with `Authorization: Bearer <token>` (REST) and `auth: { kioskToken }` (`/live`).
 * The controller drives the wall only through the kiosk's own queue, `kiosk-<id>`,
 * with KioskCommand messages.
 *
 * Admin REST: `POST /api/kiosks` {name, canAck?} → 201 {kiosk, token} (token once, stored hashed);
 * `GET /api/kiosks` → {kiosks: KioskDto[]}; `DELETE /api/kiosks/:id` (revoke) → 204: the kiosk's live
 * sockets are disconnected and its long-polls end at once. Kiosk REST: `GET /api/kiosk` → KioskDto of the
 * caller (the object itself, not wrapped).
 *
 * A kiosk token may only: `GET /api/kiosk`; read the fleet (`GET /api/hosts`, `/api/hosts/:id`,
 * `/api/hosts/:id/series`); `GET /api/alerts` and, with `canAck`, `POST /api/alerts/:id/ack`; push to, pop
 * from and read the stats of its own queue `kiosk-<id>`; subscribe on `/live` to `fleet`, `host:<id>`
 * and `alerts`. Everything else answers 403 (401 for an unknown or revoked token). Kiosk tokens do
 * not expire; they end only when revoked.
 */
import { z } from 'zod';

export const KIOSK_SCREENS = ['rack', 'gauges', 'alerts', 'top', 'spotlight'] as const;
export type KioskScreen = (typeof KIOSK_SCREENS)[number];

export const kioskCommandSchema = z.discriminatedUnion('command', [
  z.object({ command: z.literal('start'), screen: z.enum(KIOSK_SCREENS).optional(), args: z.object({}).strict().optional() }).strict(),
  z.object({ command: z.literal('stop'), screen: z.enum(KIOSK_SCREENS).optional(), args: z.object({}).strict().optional() }).strict(),
  z.object({ command: z.literal('next'), screen: z.enum(KIOSK_SCREENS).optional(), args: z.object({}).strict().optional() }).strict(),
  z.object({ command: z.literal('prev'), screen: z.enum(KIOSK_SCREENS).optional(), args: z.object({}).strict().optional() }).strict(),
  /** Jump to a screen. */
  z.object({ command: z.literal('show'), screen: z.enum(KIOSK_SCREENS), args: z.object({}).strict().optional() }).strict(),
  /** Put one host on the spotlight screen and show it. */
  z.object({ command: z.literal('spotlight'), screen: z.literal('spotlight').optional(), args: z.object({ hostId: z.number().int().positive() }).strict() }).strict(),
  /** Slideshow durations, s, for the screens named (the others keep theirs). */
  z.object({ command: z.literal('durations'), screen: z.enum(KIOSK_SCREENS).optional(), args: z.partialRecord(z.enum(KIOSK_SCREENS), z.number().int().min(3).max(3600)) }).strict(),
]);
export type KioskCommand = z.infer<typeof kioskCommandSchema>;

export interface KioskDto {
  id: number;
  name: string;
  /** May acknowledge alerts. */
  canAck: boolean;
  /** The queue its controller and wall share. */
  queue: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}
export interface KioskCreated { kiosk: KioskDto; /** Shown once; only its hash is stored. */ token: string }

export function kioskQueue(id: number): string { return `kiosk-${id}`; }
