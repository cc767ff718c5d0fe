import { Migration } from '@mikro-orm/migrations';

export class Migration20261122120516_AccountFigures extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`audit_log\` (\`id\` int unsigned not null auto_increment primary key, \`at\` bigint not null, \`actor_user_id\` int null, \`actor\` varchar(254) not null, \`action\` varchar(64) not null, \`target\` varchar(200) not null, \`outcome\` varchar(32) not null, \`detail\` text null) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`audit_log\` add index \`audit_log_at_index\`(\`at\`);`);

    this.addSql(`alter table \`account_usage\` add \`partial\` tinyint(1) not null default false, add \`cpu_pct\` double null, add \`rss_bytes\` bigint null, add \`processes\` int null;`);

  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists \`audit_log\`;`);

    this.addSql(`alter table \`account_usage\` drop column \`partial\`, drop column \`cpu_pct\`, drop column \`rss_bytes\`, drop column \`processes\`;`);
  }

}
