import { Migration } from '@mikro-orm/migrations';

export class Migration20261122140031_Alerts extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`alerts\` (\`id\` integer not null, \`kind\` text not null, \`state\` text not null, \`severity\` text not null, \`host_id\` integer not null, \`host_name\` text not null, \`account_id\` integer null, \`subject\` text not null, \`message\` text not null, \`value\` double null, \`threshold\` double null, \`started_at\` bigint not null, \`firing_at\` bigint null, \`resolved_at\` bigint null, \`acked_at\` bigint null, \`acked_by\` text null, primary key (\`id\`));`);
    this.addSql(`create index \`alerts_account_id_index\` on \`alerts\` (\`account_id\`);`);
    this.addSql(`create index \`alerts_state_id_index\` on \`alerts\` (\`state\`, \`id\`);`);

    this.addSql(`create table \`alert_rules\` (\`kind\` text not null, \`host_id\` integer not null, \`enabled\` integer not null, \`threshold\` double null, \`for_seconds\` integer not null, \`webhook_url\` text null, \`webhook_last_status\` text null, \`webhook_last_error\` text null, \`webhook_last_attempt_at\` bigint null, \`webhook_failures\` integer not null default 0, \`updated_at\` bigint not null, primary key (\`kind\`, \`host_id\`));`);
  }

}
