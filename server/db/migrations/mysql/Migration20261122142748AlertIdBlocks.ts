import { Migration } from '@mikro-orm/migrations';

export class Migration20261122142748_AlertIdBlocks extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`id_blocks\` (\`name\` varchar(32) not null, \`next_id\` bigint not null, primary key (\`name\`)) default character set utf8mb4 engine = InnoDB;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists \`id_blocks\`;`);
  }

}
