import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { oldGenerationBytes, startHeapTrim } from '../../../agent/heap-trim.js';

// The real collector, as --expose-gc gives it to the agent.
setFlagsFromString('--expose-gc');
const realGc = runInNewContext('gc') as () => void;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const trim = suite('heap trim');

trim('should do nothing without a collector to call', () => {
  const had = (globalThis as { gc?: unknown }).gc;
  delete (globalThis as { gc?: unknown }).gc;
  try {
    assert.is(startHeapTrim(), null);
  } finally {
    if (had) (globalThis as { gc?: unknown }).gc = had;
  }
});

/** ~4 MB of small objects that live long enough to reach the old generation, then are dropped; old generation bytes while they lived. */
function burst(): number {
  let objects: { i: number; s: string }[] | null = [];
  for (let i = 0; i < 100_000; i++) objects.push({ i, s: `entry ${i}` });
  // A full collection they survive moves them to the old generation.
  realGc();
  const during = oldGenerationBytes();
  // Used after the collection, so V8 counts them alive through it.
  assert.is(objects.length, 100_000);
  objects = null;
  return during;
}

trim('should give back the garbage of a burst at its next look, and not collect while the heap stays put', async () => {
  realGc();
  let calls = 0;
  const t = startHeapTrim({ everyMs: 50, growthBytes: 512 * 1024, gc: () => { calls++; realGc(); } })!;
  try {
    await sleep(300);
    assert.is(calls, 0, 'nothing grew: no collection');
    const during = burst();
    const t0 = Date.now();
    while (calls === 0 && Date.now() - t0 < 2000) await sleep(20);
    assert.ok(calls >= 1, 'the burst made it collect');
    assert.ok(oldGenerationBytes() < during - 2 * 1024 * 1024, `old generation ${oldGenerationBytes()} B after, ${during} B during the burst`);
    assert.is(t.collections, calls);
  } finally {
    t.stop();
  }
});

trim('should not collect twice within minGapMs, however fast garbage comes', async () => {
  realGc();
  let calls = 0;
  const t = startHeapTrim({ everyMs: 20, growthBytes: 512 * 1024, minGapMs: 1000, gc: () => { calls++; realGc(); } })!;
  try {
    burst();
    await sleep(200);
    assert.is(calls, 1);
    const t0 = Date.now();
    burst();
    await sleep(300);
    assert.is(calls, 1, 'the second burst waits for the gap');
    while (calls === 1 && Date.now() - t0 < 3000) await sleep(20);
    assert.is(calls, 2, 'and is collected once the gap is over');
    assert.ok(Date.now() - t0 >= 600, `collected ${Date.now() - t0} ms after the second burst`);
  } finally {
    t.stop();
  }
});

trim.run();
