import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ConsumerCache } from '../../../../server/queue/queue.consumers.js';

const cc = suite('ConsumerCache');

cc('should create an id with an unknown cursor and keep the same state afterwards', () => {
  const c = new ConsumerCache();
  const st = c.get('wall', 'd1', 1000);
  assert.equal(st, { lastId: null, seenAt: 1000, persistedAt: 0 });
  st.lastId = 42;
  assert.is(c.get('wall', 'd1', 2000).lastId, 42);
  assert.is(c.get('touch', 'd1', 2000).lastId, null, 'per queue');
});

cc('should hand out unsaved seen times once, grouped by queue and time', () => {
  const c = new ConsumerCache();
  c.see('wall', 'a', 100); c.see('wall', 'b', 100); c.see('wall', 'c', 200); c.see('touch', 'a', 100);
  const groups = c.takeUnsaved().map((g) => `${g.queue}@${g.at}:${g.consumers.join(',')}`).sort();
  assert.equal(groups, ['touch@100:a', 'wall@100:a,b', 'wall@200:c']);
  assert.equal(c.takeUnsaved(), []);
  c.see('wall', 'a', 300);
  assert.equal(c.takeUnsaved(), [{ queue: 'wall', at: 300, consumers: ['a'] }]);
});

cc('should forget the ids unseen since a time, and an id on delete', () => {
  const c = new ConsumerCache();
  c.get('wall', 'old', 100).lastId = 1;
  c.get('wall', 'new', 500).lastId = 2;
  c.get('wall', 'gone', 500).lastId = 3;
  c.dropUnseenSince(400);
  c.delete('wall', 'gone');
  assert.is(c.get('wall', 'old', 600).lastId, null);
  assert.is(c.get('wall', 'new', 600).lastId, 2);
  assert.is(c.get('wall', 'gone', 600).lastId, null);
});

cc.run();
