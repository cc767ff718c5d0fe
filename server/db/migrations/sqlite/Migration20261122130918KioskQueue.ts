import { Migration } from '@mikro-orm/migrations';

export class Migration20261122130918_KioskQueue extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`queue_consumers\` (\`queue\` text not null, \`consumer\` text not null, \`last_id\` bigint not null, \`seen_at\` bigint not null, \`moved_by\` text null, primary key (\`queue\`, \`consumer\`));`);
    this.addSql(`create index \`queue_consumers_seen_at_index\` on \`queue_consumers\` (\`seen_at\`);`);

    this.addSql(`create table \`queue_messages\` (\`id\` integer not null primary key autoincrement, \`queue\` text not null, \`body\` text not null, \`at\` bigint not null);`);
    this.addSql(`create index \`queue_messages_queue_id_index\` on \`queue_messages\` (\`queue\`, \`id\`);`);
    this.addSql(`create index \`queue_messages_at_index\` on \`queue_messages\` (\`at\`);`);

    this.addSql(`create table \`queue_stats\` (\`queue\` text not null, \`dropped\` bigint not null default 0, \`expired\` bigint not null default 0, primary key (\`queue\`));`);
  }

}
