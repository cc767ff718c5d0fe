/**
 * Migrations, listed explicitly so they load the same under tsx and in a bundle.
 * One list per dialect; `npx tsx scripts/migration-create.ts <Name>` writes a new one for both
 * (on MariaDB, drop any no-op `modify <col> varchar(n)` lines it adds: see tests/integration/schema.test.ts).
 */
import { Migration20261122113908_Initial as SqliteInitial } from './sqlite/Migration20261122113908Initial.js';
import { Migration20261122120515_AccountFigures as SqliteAccountFigures } from './sqlite/Migration20261122120515AccountFigures.js';
import { Migration20261122130918_KioskQueue as SqliteKioskQueue } from './sqlite/Migration20261122130918KioskQueue.js';
import { Migration20261122113908_Initial as MysqlInitial } from './mysql/Migration20261122113908Initial.js';
import { Migration20261122120516_AccountFigures as MysqlAccountFigures } from './mysql/Migration20261122120516AccountFigures.js';

import { Migration20261122130918_KioskQueue as MysqlKioskQueue } from './mysql/Migration20261122130918KioskQueue.js';
import { Migration20261122135455_Kiosks as SqliteKiosks } from './sqlite/Migration20261122135455Kiosks.js';
import { Migration20261122135456_Kiosks as MysqlKiosks } from './mysql/Migration20261122135456Kiosks.js';
import { Migration20261122140031_Alerts as SqliteAlerts } from './sqlite/Migration20261122140031Alerts.js';
import { Migration20261122140032_Alerts as MysqlAlerts } from './mysql/Migration20261122140032Alerts.js';
import { Migration20261122135712_UsageTotals as SqliteUsageTotals } from './sqlite/Migration20261122135712UsageTotals.js';
import { Migration20261122135713_UsageTotals as MysqlUsageTotals } from './mysql/Migration20261122135713UsageTotals.js';
import { Migration20261122142747_AlertIdBlocks as SqliteAlertIdBlocks } from './sqlite/Migration20261122142747AlertIdBlocks.js';
import { Migration20261122142748_AlertIdBlocks as MysqlAlertIdBlocks } from './mysql/Migration20261122142748AlertIdBlocks.js';

type MigrationEntry = { name: string; class: any };
export const sqliteMigrations: MigrationEntry[] = [
  { name: 'Migration20261122113908Initial', class: SqliteInitial },
  { name: 'Migration20261122120515AccountFigures', class: SqliteAccountFigures },
  { name: 'Migration20261122130918KioskQueue', class: SqliteKioskQueue },
  { name: 'Migration20261122135455Kiosks', class: SqliteKiosks },
  { name: 'Migration20261122135712UsageTotals', class: SqliteUsageTotals },
  { name: 'Migration20261122140031Alerts', class: SqliteAlerts },
  { name: 'Migration20261122142747AlertIdBlocks', class: SqliteAlertIdBlocks },
];
export const mysqlMigrations: MigrationEntry[] = [
  { name: 'Migration20261122113908Initial', class: MysqlInitial },
  { name: 'Migration20261122120516AccountFigures', class: MysqlAccountFigures },
  { name: 'Migration20261122130918KioskQueue', class: MysqlKioskQueue },
  { name: 'Migration20261122135456Kiosks', class: MysqlKiosks },
  { name: 'Migration20261122135713UsageTotals', class: MysqlUsageTotals },
  { name: 'Migration20261122140032Alerts', class: MysqlAlerts },
  { name: 'Migration20261122142748AlertIdBlocks', class: MysqlAlertIdBlocks },
];
