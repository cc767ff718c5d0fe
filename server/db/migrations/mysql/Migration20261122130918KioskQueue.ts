import { Migration } from '@mikro-orm/migrations';

export class Migration20261122130918_KioskQueue extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`queue_consumers\` (\`queue\` varchar(64) not null, \`consumer\` varchar(64) not null, \`last_id\` bigint not null, \`seen_at\` bigint not null, \`moved_by\` varchar(24) null, primary key (\`queue\`, \`consumer\`)) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`queue_consumers\` add index \`queue_consumers_seen_at_index\`(\`seen_at\`);`);

    this.addSql(`create table \`queue_messages\` (\`id\` int unsigned not null auto_increment primary key, \`queue\` varchar(64) not null, \`body\` text not null, \`at\` bigint not null) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`queue_messages\` add index \`queue_messages_queue_id_index\`(\`queue\`, \`id\`);`);
    this.addSql(`alter table \`queue_messages\` add index \`queue_messages_at_index\`(\`at\`);`);

    this.addSql(`create table \`queue_stats\` (\`queue\` varchar(64) not null, \`dropped\` bigint not null default 0, \`expired\` bigint not null default 0, primary key (\`queue\`)) default character set utf8mb4 engine = InnoDB;`);

  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists \`queue_consumers\`;`);

    this.addSql(`drop table if exists \`queue_messages\`;`);

    this.addSql(`drop table if exists \`queue_stats\`;`);

  }

}
