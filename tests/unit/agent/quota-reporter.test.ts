import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { AccountQuota, QuotaMessage } from '../../../protocol/index.js';
import { quotaSchema } from '../../../protocol/index.js';
import { QuotaReporter, splitAccounts, type AccountsSource } from '../../../agent/quota-reporter.js';
import { Sequence } from '../../../agent/sequence.js';

const acc = (name: string, usedBytes = 1000): AccountQuota => ({ account: name, usedBytes, source: 'walk', measuredAt: 1_700_000_000_000, rssBytes: 0, processes: 0 });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const split = suite('splitAccounts');
split('should keep a small snapshot in one message', () => {
  assert.equal(splitAccounts([acc('a'), acc('b')]).map((p) => p.length), [2]);
  assert.equal(splitAccounts([]), []);
});
split('should cut a large snapshot into runs within the byte bound, in order, losing none', () => {
  const all = Array.from({ length: 20_000 }, (_, i) => acc(`user${i}`, i));
  const parts = splitAccounts(all, 256 * 1024);
  assert.ok(parts.length > 1);
  assert.equal(parts.flat().map((a) => a.account), all.map((a) => a.account));
  for (const p of parts) {
    const m: QuotaMessage = { seq: 1, t: 1, accounts: p };
    assert.ok(Buffer.byteLength(JSON.stringify(m)) <= 256 * 1024);
    assert.ok(quotaSchema.safeParse(m).success);
  }
});
split.run();

/** A collector whose figures and delay the test sets. */
const fakeSource = (figures: () => AccountQuota[], delayMs = 0): AccountsSource & { calls: number } => ({
  calls: 0,
  async collect() { this.calls++; await sleep(delayMs); return figures(); },
  async refresh() { throw new Error('unused'); },
  start() {},
  stop() {},
});

const rep = suite('QuotaReporter');
rep('should send a numbered snapshot at once and then every interval', async () => {
  const sent: QuotaMessage[] = [];
  const r = new QuotaReporter({ source: fakeSource(() => [acc('alice')]), sequence: new Sequence(5), intervalMs: 40, send: (m) => sent.push(m), now: () => 1234.4 });
  r.start();
  await sleep(150);
  r.stop();
  assert.ok(sent.length >= 2, `${sent.length} messages`);
  assert.equal(sent.slice(0, 2).map((m) => m.seq), [5, 6]);
  assert.equal(sent[0], { seq: 5, t: 1234, accounts: [acc('alice')] });
  assert.equal(r.latest('alice'), acc('alice'));
});
rep('should skip a turn while a collection is still running', async () => {
  const src = fakeSource(() => [acc('a')], 60);
  const sent: QuotaMessage[] = [];
  const r = new QuotaReporter({ source: src, sequence: new Sequence(), intervalMs: 20, send: (m) => sent.push(m) });
  r.start();
  await sleep(110);
  r.stop();
  assert.ok(src.calls <= 3, `${src.calls} collections`);
});
rep('should send nothing for no accounts, and report a failed collection', async () => {
  const errors: string[] = [];
  const sent: QuotaMessage[] = [];
  const none = new QuotaReporter({ source: fakeSource(() => []), sequence: new Sequence(), intervalMs: 1000, send: (m) => sent.push(m) });
  assert.is(await none.report(), 0);
  const failing = new QuotaReporter({ source: fakeSource(() => { throw new Error('passwd unreadable'); }), sequence: new Sequence(), intervalMs: 1000, send: (m) => sent.push(m), onError: (e) => errors.push(e.message) });
  assert.is(await failing.report(), 0);
  assert.equal([sent.length, errors], [0, ['passwd unreadable']]);
});
rep.run();
