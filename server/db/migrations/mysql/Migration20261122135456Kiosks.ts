import { Migration } from '@mikro-orm/migrations';

export class Migration20261122135456_Kiosks extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`kiosks\` (\`id\` int unsigned not null auto_increment primary key, \`name\` varchar(120) not null, \`token_hash\` varchar(64) not null, \`can_ack\` tinyint(1) not null default false, \`created_at\` bigint not null, \`last_used_at\` bigint null, \`revoked_at\` bigint null, \`created_by\` int null) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`kiosks\` add unique \`kiosks_token_hash_unique\`(\`token_hash\`);`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists \`kiosks\`;`);
  }

}
