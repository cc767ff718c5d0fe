import { Migration } from '@mikro-orm/migrations';

export class Migration20261122113908_Initial extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`accounts\` (\`id\` int unsigned not null auto_increment primary key, \`host_id\` int not null, \`name\` varchar(64) not null, \`owner_id\` int not null, \`plan_id\` int null, \`mount\` varchar(255) null, \`created_at\` bigint not null) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`accounts\` add index \`accounts_owner_id_index\`(\`owner_id\`);`);
    this.addSql(`alter table \`accounts\` add unique \`accounts_host_id_name_unique\`(\`host_id\`, \`name\`);`);

    this.addSql(`create table \`account_usage\` (\`host_id\` int unsigned not null, \`account\` varchar(64) not null, \`used_bytes\` bigint not null, \`files\` bigint null, \`soft_limit_bytes\` bigint null, \`hard_limit_bytes\` bigint null, \`source\` varchar(16) not null, \`measured_at\` bigint not null, \`received_at\` bigint not null, primary key (\`host_id\`, \`account\`)) default character set utf8mb4 engine = InnoDB;`);

    this.addSql(`create table \`disks\` (\`id\` int unsigned not null auto_increment primary key, \`host_id\` int not null, \`mount\` varchar(255) not null, \`device\` varchar(255) not null, \`fs_type\` varchar(40) not null, \`size_bytes\` bigint not null, \`used_bytes\` bigint not null, \`avail_bytes\` bigint not null, \`updated_at\` bigint not null) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`disks\` add unique \`disks_host_id_mount_unique\`(\`host_id\`, \`mount\`);`);

    this.addSql(`create table \`hosts\` (\`id\` int unsigned not null auto_increment primary key, \`name\` varchar(120) not null, \`token_hash\` varchar(64) not null, \`token_revoked_at\` bigint null, \`monthly_cost_cents\` int null, \`created_at\` bigint not null, \`hostname\` varchar(255) null, \`os\` varchar(40) null, \`kernel\` varchar(120) null, \`agent_version\` varchar(40) null, \`cpus\` int null, \`mem_total_bytes\` bigint null, \`boot_time\` bigint null) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`hosts\` add unique \`hosts_name_unique\`(\`name\`);`);
    this.addSql(`alter table \`hosts\` add unique \`hosts_token_hash_unique\`(\`token_hash\`);`);

    this.addSql(`create table \`host_status\` (\`host_id\` int unsigned not null, \`last_seen_at\` bigint not null, \`latest\` text not null, primary key (\`host_id\`)) default character set utf8mb4 engine = InnoDB;`);

    this.addSql(`create table \`plans\` (\`id\` int unsigned not null auto_increment primary key, \`name\` varchar(120) not null, \`quota_bytes\` bigint not null, \`price_cents\` int not null, \`public\` tinyint(1) not null) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`plans\` add unique \`plans_name_unique\`(\`name\`);`);

    this.addSql(`create table \`rollups\` (\`host_id\` int unsigned not null, \`tier\` int unsigned not null, \`bucket\` bigint unsigned not null, \`count\` int not null, \`load1sum\` double not null, \`load1min\` double not null, \`load1max\` double not null, \`cpu_pct_sum\` double not null, \`cpu_pct_min\` double not null, \`cpu_pct_max\` double not null, \`mem_used_bytes_sum\` double not null, \`mem_used_bytes_min\` double not null, \`mem_used_bytes_max\` double not null, \`net_rx_bps_sum\` double not null, \`net_rx_bps_min\` double not null, \`net_rx_bps_max\` double not null, \`net_tx_bps_sum\` double not null, \`net_tx_bps_min\` double not null, \`net_tx_bps_max\` double not null, \`disk_read_bps_sum\` double not null, \`disk_read_bps_min\` double not null, \`disk_read_bps_max\` double not null, \`disk_write_bps_sum\` double not null, \`disk_write_bps_min\` double not null, \`disk_write_bps_max\` double not null, primary key (\`host_id\`, \`tier\`, \`bucket\`)) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`rollups\` add index \`rollups_tier_bucket_index\`(\`tier\`, \`bucket\`);`);

    this.addSql(`create table \`service_states\` (\`host_id\` int unsigned not null, \`name\` varchar(128) not null, \`account\` varchar(64) null, \`status\` varchar(16) not null, \`latency_ms\` double null, \`reason\` varchar(200) null, \`checked_at\` bigint not null, \`since\` bigint not null, \`received_at\` bigint not null, primary key (\`host_id\`, \`name\`)) default character set utf8mb4 engine = InnoDB;`);

    this.addSql(`create table \`sessions\` (\`id\` varchar(64) not null, \`user_id\` int not null, \`created_at\` bigint not null, \`expires_at\` bigint not null, primary key (\`id\`)) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`sessions\` add index \`sessions_user_id_index\`(\`user_id\`);`);

    this.addSql(`create table \`users\` (\`id\` int unsigned not null auto_increment primary key, \`email\` varchar(254) not null, \`password_hash\` varchar(255) not null, \`name\` varchar(120) null, \`role\` varchar(16) not null, \`created_at\` bigint not null) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`users\` add unique \`users_email_unique\`(\`email\`);`);

    this.addSql(`create table \`watermarks\` (\`host_id\` int unsigned not null, \`stream\` varchar(16) not null, \`seq\` bigint not null, primary key (\`host_id\`, \`stream\`)) default character set utf8mb4 engine = InnoDB;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists \`accounts\`;`);

    this.addSql(`drop table if exists \`account_usage\`;`);

    this.addSql(`drop table if exists \`disks\`;`);

    this.addSql(`drop table if exists \`hosts\`;`);

    this.addSql(`drop table if exists \`host_status\`;`);

    this.addSql(`drop table if exists \`plans\`;`);

    this.addSql(`drop table if exists \`rollups\`;`);

    this.addSql(`drop table if exists \`service_states\`;`);

    this.addSql(`drop table if exists \`sessions\`;`);

    this.addSql(`drop table if exists \`users\`;`);

    this.addSql(`drop table if exists \`watermarks\`;`);
  }

}
