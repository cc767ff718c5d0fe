import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { OutputTail } from '../../../agent/output-tail.js';

const tail = suite('OutputTail');
tail('should keep the last lines up to the line bound', () => {
  const t = new OutputTail(3, 1000);
  t.push('a\nb\nc\nd\ne\n');
  assert.is(t.value(), 'c\nd\ne');
});
tail('should drop whole first lines to meet the byte bound', () => {
  const t = new OutputTail(64, 10);
  t.push('aaaa\nbbbb\ncccc\n');
  assert.is(t.value(), 'bbbb\ncccc');
});
tail('should keep the end of one line longer than the byte bound', () => {
  const t = new OutputTail(64, 4);
  t.push('abcdefgh');
  assert.is(t.value(), 'efgh');
});
tail('should not break a character split across chunks', () => {
  const t = new OutputTail();
  const write = t.decoder();
  const bytes = Buffer.from('héllo\n', 'utf8');
  write(bytes.subarray(0, 2));
  write(bytes.subarray(2));
  assert.is(t.value(), 'héllo');
});
tail('should hold a bounded amount however much is pushed', () => {
  const t = new OutputTail(64, 8192);
  for (let i = 0; i < 100_000; i++) t.push(`line ${i}\n`);
  assert.is(t.value().split('\n').at(-1), 'line 99999');
  assert.is(t.value().split('\n').length, 64);
});
tail.run();
