import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeCursor, encodeCursor } from '../../../../server/usage/usage.cursor.js';

const test = suite('decodeCursor');
test('should read back what encodeCursor wrote, for each sort', () => {
  assert.equal(decodeCursor(encodeCursor({ sort: 'account', account: 'alice' }), 'account'), { sort: 'account', account: 'alice' });
  assert.equal(decodeCursor(encodeCursor({ sort: 'total', totalBytes: 42, account: 'b,ob' }), 'total'), { sort: 'total', totalBytes: 42, account: 'b,ob' });
});
test('should return null for a cursor of the other sort order', () => {
  assert.is(decodeCursor(encodeCursor({ sort: 'account', account: 'alice' }), 'total'), null);
  assert.is(decodeCursor(encodeCursor({ sort: 'total', totalBytes: 1, account: 'a' }), 'account'), null);
});
test('should return null for anything that is not a cursor', () => {
  for (const c of ['', '!!', 'eyJ4Ijox', Buffer.from('[\"t\",-1,\"a\"]').toString('base64url'), Buffer.from('[\"a\",\"\"]').toString('base64url'), 'A'.repeat(401)]) {
    assert.is(decodeCursor(c, c.includes('WyJ0') ? 'total' : 'account'), null, c);
  }
});
test.run();
