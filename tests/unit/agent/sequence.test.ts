import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createSequences, Sequence } from '../../../agent/sequence.js';

const seq = suite('Sequence');
seq('should hand out consecutive numbers from 1', () => {
  const s = new Sequence();
  assert.equal([s.next(), s.next(), s.peek(), s.next()], [1, 2, 3, 3]);
});
seq('should only ever move forward on continueAt', () => {
  const s = new Sequence(10);
  s.continueAt(5);
  assert.is(s.peek(), 10);
  s.continueAt(5001);
  assert.is(s.next(), 5001);
});
seq.run();

const create = suite('createSequences');
create('should give each stream its own counter', () => {
  const s = createSequences();
  s.samples.next();
  s.samples.next();
  assert.equal([s.samples.peek(), s.quota.peek(), s.services.peek()], [3, 1, 1]);
});
create.run();
