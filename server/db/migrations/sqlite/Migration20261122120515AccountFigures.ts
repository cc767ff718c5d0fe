import { Migration } from '@mikro-orm/migrations';

export class Migration20261122120515_AccountFigures extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`audit_log\` (\`id\` integer not null primary key autoincrement, \`at\` bigint not null, \`actor_user_id\` integer null, \`actor\` text not null, \`action\` text not null, \`target\` text not null, \`outcome\` text not null, \`detail\` text null);`);
    this.addSql(`create index \`audit_log_at_index\` on \`audit_log\` (\`at\`);`);

    this.addSql(`alter table \`account_usage\` add column \`partial\` integer not null default false;`);
    this.addSql(`alter table \`account_usage\` add column \`cpu_pct\` double null;`);
    this.addSql(`alter table \`account_usage\` add column \`rss_bytes\` bigint null;`);
    this.addSql(`alter table \`account_usage\` add column \`processes\` integer null;`);
  }

}
