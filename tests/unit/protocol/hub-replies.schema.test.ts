import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ackSchema, helloReplySchema, rejectSchema } from '../../../protocol/index.js';

const hello = suite('helloReplySchema');
hello('should read host id and watermarks, a missing stream counting as 0', () => {
  assert.equal(helloReplySchema.parse({ hostId: 3, watermarks: { samples: 120 } }), { hostId: 3, watermarks: { samples: 120, quota: 0, services: 0 } });
});
hello('should accept an error reply', () => {
  assert.equal(helloReplySchema.parse({ error: 'unknown host' }), { error: 'unknown host' });
});
hello('should refuse a negative or fractional watermark', () => {
  assert.not.ok(helloReplySchema.safeParse({ hostId: 3, watermarks: { samples: -1 } }).success);
  assert.not.ok(helloReplySchema.safeParse({ hostId: 3, watermarks: { samples: 1.5 } }).success);
});
hello.run();

const ack = suite('ackSchema');
ack('should accept a known stream and refuse an unknown one', () => {
  assert.ok(ackSchema.safeParse({ stream: 'quota', seq: 7 }).success);
  assert.not.ok(ackSchema.safeParse({ stream: 'logs', seq: 7 }).success);
  assert.not.ok(ackSchema.safeParse({ stream: 'samples', seq: '7' }).success);
});
ack.run();

const reject = suite('rejectSchema');
reject('should require event and reason', () => {
  assert.equal(rejectSchema.parse({ event: 'samples', reason: 'invalid' }), { event: 'samples', reason: 'invalid', message: '' });
  assert.not.ok(rejectSchema.safeParse({ event: 'samples' }).success);
});
reject.run();
