import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MAX_SAMPLES_PER_MESSAGE, samplesSchema } from '../../../protocol/index.js';
import { batchSamples, MAX_BATCH_BYTES } from '../../../agent/batch.js';
import { sampleAt, samplesFrom, seqs } from './_samples.js';

const batch = suite('batchSamples');

batch('should cut a backlog into messages of at most MAX_SAMPLES_PER_MESSAGE, in order', () => {
  const b = batchSamples(samplesFrom(1, 7), 3, Infinity);
  assert.equal(b.map(seqs), [[1, 2, 3], [4, 5, 6], [7]]);
});

batch('should keep every message under the byte bound', () => {
  const one = JSON.stringify(sampleAt(1)).length + 1;
  const b = batchSamples(samplesFrom(1, 10), 100, one * 4);
  assert.equal(b.map((x) => x.length), [4, 4, 2]);
});

batch('should send an hour of samples with disks as valid messages under half the hub limit', () => {
  const disks = Array.from({ length: 20 }, (_, i) => ({
    mount: `/srv/disk${i}`, device: `/dev/sd${String.fromCharCode(97 + i)}1`, fsType: 'ext4', sizeBytes: 4e12, usedBytes: 1e12, availBytes: 3e12,
  }));
  const hour = samplesFrom(1, 3600).map((s) => ({ ...s, disks }));
  const b = batchSamples(hour);
  assert.ok(b.length > 1);
  assert.equal(b.flat().map((s) => s.seq), hour.map((s) => s.seq));
  for (const m of b) {
    assert.ok(m.length <= MAX_SAMPLES_PER_MESSAGE);
    assert.ok(JSON.stringify({ samples: m }).length <= MAX_BATCH_BYTES + 20);
    assert.ok(samplesSchema.safeParse({ samples: m }).success);
  }
});

batch('should give an empty list for no samples', () => {
  assert.equal(batchSamples([]), []);
});
batch.run();
