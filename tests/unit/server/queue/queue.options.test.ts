import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { HttpError } from '../../../../server/http/errors.js';
import { isName, MAX_BODY_BYTES, parseName, QUEUE_DEFAULTS } from '../../../../server/queue/queue.options.js';

// ---------------------------------------------------------------------------
const pn = suite('parseName');

pn('should return a valid name in lower case', () => {
  assert.is(parseName('Wall-1.display_A', 'queue'), 'wall-1.display_a');
  assert.is(parseName('x'.repeat(64), 'queue'), 'x'.repeat(64));
});

pn('should throw a 400 naming the field for an empty, long, odd or non-string name', () => {
  for (const bad of ['', 'x'.repeat(65), 'a b', 'a/b', 'ä', 'a\n', ['a'], undefined, 7]) {
    try {
      parseName(bad, 'consumer');
      assert.unreachable(`accepted ${JSON.stringify(bad)}`);
    } catch (e) {
      assert.instance(e, HttpError);
      assert.equal([(e as HttpError).status, (e as HttpError).field], [400, 'consumer']);
    }
  }
});

pn.run();

// ---------------------------------------------------------------------------
const isn = suite('isName');
isn('should tell valid names from the rest without throwing', () => {
  assert.ok(isName('a.b-c_D9'));
  assert.not.ok(isName('a b'));
  assert.not.ok(isName(undefined));
});
isn.run();

// ---------------------------------------------------------------------------
const lim = suite('QUEUE_DEFAULTS, MAX_BODY_BYTES');
lim('should match the surface: 1 h TTL, 1000 messages, 5 min forget, 100 per answer, waits 30 s of at most 60 s', () => {
  assert.equal(
    [QUEUE_DEFAULTS.ttlMs, QUEUE_DEFAULTS.maxLength, QUEUE_DEFAULTS.forgetAfterMs, QUEUE_DEFAULTS.batchLimit, QUEUE_DEFAULTS.defaultWaitS, QUEUE_DEFAULTS.maxWaitS],
    [3_600_000, 1000, 300_000, 100, 30, 60],
  );
});
lim('should fit a MySQL TEXT column', () => {
  assert.is(MAX_BODY_BYTES, 65535);
});
lim.run();
