import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AGENT_BACKOFF, backoffDelay } from '../../../agent/backoff.js';

const backoff = suite('backoffDelay');

backoff('should start at 1 s and double per attempt without jitter', () => {
  assert.equal(AGENT_BACKOFF, { base: 1000, max: 30_000, jitter: 0.5 });
  const mid = () => 0.5;
  assert.equal([0, 1, 2, 3, 4].map((a) => backoffDelay(a, AGENT_BACKOFF, mid)), [1000, 2000, 4000, 8000, 16_000]);
});

backoff('should spread a delay by ±50 %', () => {
  assert.is(backoffDelay(1, AGENT_BACKOFF, () => 0), 1000);
  assert.is(backoffDelay(1, AGENT_BACKOFF, () => 0.999999), 3000);
});

backoff('should never wait more than 30 s, however many attempts', () => {
  assert.is(backoffDelay(5, AGENT_BACKOFF, () => 0.999999), 30_000);
  assert.is(backoffDelay(1000, AGENT_BACKOFF, () => 0.5), 30_000);
  assert.is(backoffDelay(1000, AGENT_BACKOFF, () => 0), 15_000);
});
backoff.run();
