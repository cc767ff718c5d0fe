import { Migration } from '@mikro-orm/migrations';

export class Migration20261122135455_Kiosks extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`kiosks\` (\`id\` integer not null primary key autoincrement, \`name\` text not null, \`token_hash\` text not null, \`can_ack\` integer not null default false, \`created_at\` bigint not null, \`last_used_at\` bigint null, \`revoked_at\` bigint null, \`created_by\` integer null);`);
    this.addSql(`create unique index \`kiosks_token_hash_unique\` on \`kiosks\` (\`token_hash\`);`);
  }

}
