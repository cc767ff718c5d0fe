import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { subscribeSchema, topicSchema } from '../../../protocol/live.schema.js';
import { accepted, refusedAt, withOwnKey } from './_zod.js';

// ---------------------------------------------------------------------------
const topic = suite('topicSchema');

topic('should accept fleet, host:<id> and account:<id>', () => {
  for (const t of ['fleet', 'host:1', 'host:42', 'account:42', 'account:1000000']) assert.is(accepted(topicSchema, t), t);
});

topic('should accept ids of up to 10 digits and refuse longer ones', () => {
  accepted(topicSchema, 'host:' + '9'.repeat(10));
  assert.equal(refusedAt(topicSchema, 'host:1' + '0'.repeat(10)), ['']);
});

topic('should refuse id 0 and ids with a leading zero', () => {
  for (const t of ['host:0', 'host:01', 'account:0', 'account:007']) assert.equal(refusedAt(topicSchema, t), [''], t);
});

topic('should refuse unknown kinds and misspellings', () => {
  for (const t of ['hosts:1', 'Host:1', 'FLEET', 'fleets', 'user:1', 'host', 'host:', ':1', '']) {
    assert.equal(refusedAt(topicSchema, t), [''], JSON.stringify(t));
  }
});

topic('should refuse ids that are not plain decimal integers', () => {
  for (const t of ['host:-1', 'host:1.5', 'host:1e3', 'host:0x1', 'host:1a', 'host: 1']) {
    assert.equal(refusedAt(topicSchema, t), [''], t);
  }
});

topic('should refuse surrounding whitespace and a trailing newline', () => {
  for (const t of ['fleet ', ' fleet', 'fleet\n', 'host:1\n', '\tfleet']) assert.equal(refusedAt(topicSchema, t), [''], JSON.stringify(t));
});

topic('should refuse two topics in one string', () => {
  for (const t of ['fleet|host:1', 'host:1host:2', 'fleetfleet']) assert.equal(refusedAt(topicSchema, t), [''], t);
});

topic('should refuse very long strings', () => {
  assert.equal(refusedAt(topicSchema, 'host:' + '1'.repeat(100)), ['']);
  assert.equal(refusedAt(topicSchema, 'fleet'.repeat(20_000)), ['']);
});

topic('should refuse non-strings', () => {
  for (const t of [1, null, undefined, ['fleet'], { topic: 'fleet' }]) assert.equal(refusedAt(topicSchema, t), [''], String(t));
});

// ---------------------------------------------------------------------------
const sub = suite('subscribeSchema');

sub('should accept a request with a valid topic', () => {
  assert.equal(accepted(subscribeSchema, { topic: 'host:7' }), { topic: 'host:7' });
});

sub('should refuse a bad or missing topic at "topic"', () => {
  assert.equal(refusedAt(subscribeSchema, { topic: 'host:0' }), ['topic']);
  assert.equal(refusedAt(subscribeSchema, { topic: 7 }), ['topic']);
  assert.equal(refusedAt(subscribeSchema, {}), ['topic']);
});

sub('should refuse unknown keys, __proto__ and constructor included, at their own path', () => {
  assert.equal(refusedAt(subscribeSchema, { topic: 'fleet', since: 0 }), ['since']);
  assert.equal(refusedAt(subscribeSchema, withOwnKey({ topic: 'fleet' }, '__proto__', { topic: 'host:1' })), ['__proto__']);
  assert.equal(refusedAt(subscribeSchema, withOwnKey({ topic: 'fleet' }, 'constructor', 'x')), ['constructor']);
});

sub('should refuse a string or null in place of the request object', () => {
  assert.equal(refusedAt(subscribeSchema, 'fleet'), ['']);
  assert.equal(refusedAt(subscribeSchema, null), ['']);
});

topic.run();
sub.run();
