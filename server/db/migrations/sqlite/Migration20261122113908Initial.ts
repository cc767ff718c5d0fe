import { Migration } from '@mikro-orm/migrations';

export class Migration20261122113908_Initial extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`accounts\` (\`id\` integer not null primary key autoincrement, \`host_id\` integer not null, \`name\` text not null, \`owner_id\` integer not null, \`plan_id\` integer null, \`mount\` text null, \`created_at\` bigint not null);`);
    this.addSql(`create index \`accounts_owner_id_index\` on \`accounts\` (\`owner_id\`);`);
    this.addSql(`create unique index \`accounts_host_id_name_unique\` on \`accounts\` (\`host_id\`, \`name\`);`);

    this.addSql(`create table \`account_usage\` (\`host_id\` integer not null, \`account\` text not null, \`used_bytes\` bigint not null, \`files\` bigint null, \`soft_limit_bytes\` bigint null, \`hard_limit_bytes\` bigint null, \`source\` text not null, \`measured_at\` bigint not null, \`received_at\` bigint not null, primary key (\`host_id\`, \`account\`));`);

    this.addSql(`create table \`disks\` (\`id\` integer not null primary key autoincrement, \`host_id\` integer not null, \`mount\` text not null, \`device\` text not null, \`fs_type\` text not null, \`size_bytes\` bigint not null, \`used_bytes\` bigint not null, \`avail_bytes\` bigint not null, \`updated_at\` bigint not null);`);
    this.addSql(`create unique index \`disks_host_id_mount_unique\` on \`disks\` (\`host_id\`, \`mount\`);`);

    this.addSql(`create table \`hosts\` (\`id\` integer not null primary key autoincrement, \`name\` text not null, \`token_hash\` text not null, \`token_revoked_at\` bigint null, \`monthly_cost_cents\` integer null, \`created_at\` bigint not null, \`hostname\` text null, \`os\` text null, \`kernel\` text null, \`agent_version\` text null, \`cpus\` integer null, \`mem_total_bytes\` bigint null, \`boot_time\` bigint null);`);
    this.addSql(`create unique index \`hosts_name_unique\` on \`hosts\` (\`name\`);`);
    this.addSql(`create unique index \`hosts_token_hash_unique\` on \`hosts\` (\`token_hash\`);`);

    this.addSql(`create table \`host_status\` (\`host_id\` integer not null, \`last_seen_at\` bigint not null, \`latest\` text not null, primary key (\`host_id\`));`);

    this.addSql(`create table \`plans\` (\`id\` integer not null primary key autoincrement, \`name\` text not null, \`quota_bytes\` bigint not null, \`price_cents\` integer not null, \`public\` integer not null);`);
    this.addSql(`create unique index \`plans_name_unique\` on \`plans\` (\`name\`);`);

    this.addSql(`create table \`rollups\` (\`host_id\` integer not null, \`tier\` integer not null, \`bucket\` bigint not null, \`count\` integer not null, \`load1sum\` double not null, \`load1min\` double not null, \`load1max\` double not null, \`cpu_pct_sum\` double not null, \`cpu_pct_min\` double not null, \`cpu_pct_max\` double not null, \`mem_used_bytes_sum\` double not null, \`mem_used_bytes_min\` double not null, \`mem_used_bytes_max\` double not null, \`net_rx_bps_sum\` double not null, \`net_rx_bps_min\` double not null, \`net_rx_bps_max\` double not null, \`net_tx_bps_sum\` double not null, \`net_tx_bps_min\` double not null, \`net_tx_bps_max\` double not null, \`disk_read_bps_sum\` double not null, \`disk_read_bps_min\` double not null, \`disk_read_bps_max\` double not null, \`disk_write_bps_sum\` double not null, \`disk_write_bps_min\` double not null, \`disk_write_bps_max\` double not null, primary key (\`host_id\`, \`tier\`, \`bucket\`));`);
    this.addSql(`create index \`rollups_tier_bucket_index\` on \`rollups\` (\`tier\`, \`bucket\`);`);

    this.addSql(`create table \`service_states\` (\`host_id\` integer not null, \`name\` text not null, \`account\` text null, \`status\` text not null, \`latency_ms\` double null, \`reason\` text null, \`checked_at\` bigint not null, \`since\` bigint not null, \`received_at\` bigint not null, primary key (\`host_id\`, \`name\`));`);

    this.addSql(`create table \`sessions\` (\`id\` text not null, \`user_id\` integer not null, \`created_at\` bigint not null, \`expires_at\` bigint not null, primary key (\`id\`));`);
    this.addSql(`create index \`sessions_user_id_index\` on \`sessions\` (\`user_id\`);`);

    this.addSql(`create table \`users\` (\`id\` integer not null primary key autoincrement, \`email\` text not null, \`password_hash\` text not null, \`name\` text null, \`role\` text not null, \`created_at\` bigint not null);`);
    this.addSql(`create unique index \`users_email_unique\` on \`users\` (\`email\`);`);

    this.addSql(`create table \`watermarks\` (\`host_id\` integer not null, \`stream\` text not null, \`seq\` bigint not null, primary key (\`host_id\`, \`stream\`));`);
  }

}
