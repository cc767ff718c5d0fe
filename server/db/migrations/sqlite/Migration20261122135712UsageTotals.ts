import { Migration } from '@mikro-orm/migrations';

export class Migration20261122135712_UsageTotals extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`host_usage_totals\` (\`host_id\` integer not null, \`bytes\` bigint not null, \`accounts\` integer not null, primary key (\`host_id\`));`);

    this.addSql(`create table \`usage_bytes\` (\`account\` text not null, \`host_id\` integer not null, \`bytes\` bigint not null, primary key (\`account\`, \`host_id\`));`);
    this.addSql(`create index \`usage_bytes_host_id_account_index\` on \`usage_bytes\` (\`host_id\`, \`account\`);`);

    this.addSql(`create table \`usage_totals\` (\`account\` text not null, \`total_bytes\` bigint not null, \`hosts\` integer not null, primary key (\`account\`));`);
    this.addSql(`create index usage_totals_total_bytes_account_index on usage_totals (total_bytes desc, account);`);

    // Usage already stored before this migration: the same figures the commit keeps from now on.
    this.addSql(`insert into usage_bytes (account, host_id, bytes) select account, host_id, used_bytes from account_usage;`);
    this.addSql(`insert into usage_totals (account, total_bytes, hosts) select account, sum(bytes), count(*) from usage_bytes group by account;`);
    this.addSql(`insert into host_usage_totals (host_id, bytes, accounts) select host_id, sum(bytes), count(*) from usage_bytes group by host_id;`);
    this.addSql(`insert into host_usage_totals (host_id, bytes, accounts) select 0, coalesce(sum(total_bytes), 0), count(*) from usage_totals;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists \`host_usage_totals\`;`);
    this.addSql(`drop table if exists \`usage_bytes\`;`);
    this.addSql(`drop table if exists \`usage_totals\`;`);
  }

}
