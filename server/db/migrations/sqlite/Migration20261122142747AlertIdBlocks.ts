import { Migration } from '@mikro-orm/migrations';

export class Migration20261122142747_AlertIdBlocks extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`id_blocks\` (\`name\` text not null, \`next_id\` bigint not null, primary key (\`name\`));`);
  }

}
