/**
 * The `kiosks` table: one row per NOC kiosk token (append to `entities` in
 * `server/db/entities.ts`). Times are Unix milliseconds; `tokenHash` is the
 * SHA-256 of the token (server/auth/secrets.ts), the token itself is never stored.
 */
import { BigIntType, EntitySchema } from '@mikro-orm/core';

export interface Kiosk {
  id: number;
  name: string;
  tokenHash: string;
  /** May acknowledge alerts. */
  canAck: boolean;
  createdAt: number;
  /** Last authenticated use, written at most once a minute. */
  lastUsedAt: number | null;
  revokedAt: number | null;
  /** The admin who created it (user id). */
  createdBy: number | null;
}

export const KioskSchema = new EntitySchema<Kiosk>({
  name: 'Kiosk', tableName: 'kiosks',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    name: { type: 'string', length: 120 },
    tokenHash: { type: 'string', length: 64, unique: true },
    canAck: { type: 'boolean', default: false },
    createdAt: { type: new BigIntType('number') },
    lastUsedAt: { type: new BigIntType('number'), nullable: true },
    revokedAt: { type: new BigIntType('number'), nullable: true },
    createdBy: { type: 'integer', nullable: true },
  },
});

export const kioskEntities = [KioskSchema];
