import { Migration } from '@mikro-orm/migrations';

export class Migration20261122140032_Alerts extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`alerts\` (\`id\` int unsigned not null, \`kind\` varchar(32) not null, \`state\` varchar(16) not null, \`severity\` varchar(16) not null, \`host_id\` int not null, \`host_name\` varchar(120) not null, \`account_id\` int null, \`subject\` varchar(255) not null, \`message\` varchar(500) not null, \`value\` double null, \`threshold\` double null, \`started_at\` bigint not null, \`firing_at\` bigint null, \`resolved_at\` bigint null, \`acked_at\` bigint null, \`acked_by\` varchar(254) null, primary key (\`id\`)) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`alerts\` add index \`alerts_account_id_index\`(\`account_id\`);`);
    this.addSql(`alter table \`alerts\` add index \`alerts_state_id_index\`(\`state\`, \`id\`);`);

    this.addSql(`create table \`alert_rules\` (\`kind\` varchar(32) not null, \`host_id\` int unsigned not null, \`enabled\` tinyint(1) not null, \`threshold\` double null, \`for_seconds\` int not null, \`webhook_url\` text null, \`webhook_last_status\` varchar(16) null, \`webhook_last_error\` varchar(500) null, \`webhook_last_attempt_at\` bigint null, \`webhook_failures\` int not null default 0, \`updated_at\` bigint not null, primary key (\`kind\`, \`host_id\`)) default character set utf8mb4 engine = InnoDB;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists \`alerts\`;`);

    this.addSql(`drop table if exists \`alert_rules\`;`);
  }

}
