import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { KeyedSerial } from '../../../../server/queue/queue.serial.js';

const tick = (ms = 1) => new Promise((r) => setTimeout(r, ms));

const ks = suite('KeyedSerial');

ks('should run the jobs of one key one at a time, in the order given', async () => {
  const s = new KeyedSerial();
  const log: string[] = [];
  const job = (name: string, ms: number) => async () => { log.push(`${name}+`); await tick(ms); log.push(`${name}-`); return name; };
  const results = await Promise.all([s.run('q', job('a', 15)), s.run('q', job('b', 1)), s.run('q', job('c', 5))]);
  assert.equal(results, ['a', 'b', 'c']);
  assert.equal(log, ['a+', 'a-', 'b+', 'b-', 'c+', 'c-']);
});

ks('should run the jobs of different keys side by side', async () => {
  const s = new KeyedSerial();
  const log: string[] = [];
  const job = (name: string, ms: number) => async () => { log.push(`${name}+`); await tick(ms); log.push(`${name}-`); };
  await Promise.all([s.run('x', job('x', 15)), s.run('y', job('y', 1))]);
  assert.equal(log, ['x+', 'y+', 'y-', 'x-']);
});

ks('should start a job at once when its key is idle', () => {
  const s = new KeyedSerial();
  let started = false;
  void s.run('q', async () => { started = true; });
  assert.ok(started);
});

ks('should go on with the next job after one fails, and reject only the failed one', async () => {
  const s = new KeyedSerial();
  const failed = s.run('q', async () => { throw new Error('boom'); });
  const next = s.run('q', async () => 'ok');
  assert.is(await failed.then(() => 'resolved', (e: Error) => e.message), 'boom');
  assert.is(await next, 'ok');
});

ks('should resolve drain() once every job given so far has settled, including jobs they queued', async () => {
  const s = new KeyedSerial();
  const done: string[] = [];
  void s.run('q', async () => { await tick(5); done.push('a'); void s.run('q', async () => { await tick(5); done.push('b'); }); });
  void s.run('r', async () => { throw new Error('x'); }).catch(() => done.push('r'));
  await s.drain();
  assert.equal(done.sort(), ['a', 'b', 'r']);
});

ks.run();
