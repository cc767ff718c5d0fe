import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { encode, decode } from '@msgpack/msgpack';
import { packHosts, unpackHosts, type PackedHost } from '../../../../server/cluster/host.codec.js';
import type { LivePoint } from '../../../../protocol/index.js';

const point = (t: number, i: number): LivePoint => ({
  t, load1: i / 10, load5: 4.2, load15: 3.9, cpuPct: 33.333333333333336, memUsedBytes: 21_474_836_480 + i, memTotalBytes: 68_719_476_736,
  netRxBps: 1_250_000.5, netTxBps: 0, diskReadBps: 500_000, diskWriteBps: Number.MAX_SAFE_INTEGER,
});

const hosts: PackedHost[] = [
  { id: 7, lastSeenAt: 1_764_979_200_123, agents: 1, points: [point(1_764_979_200_000, 1), point(1_764_979_201_000, 2)] },
  { id: 8, lastSeenAt: null, agents: 0, points: [] },
  { id: 9, lastSeenAt: 5, agents: 2, points: [point(3, 3)] },
];

const test = suite('packHosts / unpackHosts');

test('should give back every host and point exactly', () => {
  assert.equal(unpackHosts(packHosts(hosts)), hosts);
});

test('should read a run at any offset, as it arrives through msgpack', () => {
  const wire = decode(encode({ uid: 'x', data: [1, 'pad', packHosts(hosts)] })) as { data: [number, string, Uint8Array] };
  assert.ok(wire.data[2].byteOffset % 8 !== 0, 'the test needs an unaligned view');
  assert.equal(unpackHosts(wire.data[2]), hosts);
});

test('should stop at a truncated run, keeping the whole hosts before it', () => {
  const bytes = packHosts(hosts);
  assert.equal(unpackHosts(bytes.subarray(0, bytes.length - 8)), hosts.slice(0, 2));
  assert.equal(unpackHosts(new Uint8Array(0)), []);
});

test('should stop at a host whose count is not a whole number', () => {
  const bytes = packHosts(hosts);
  new DataView(bytes.buffer).setFloat64(3 * 8, 1.5, true);
  assert.equal(unpackHosts(bytes), []);
});

test.run();
