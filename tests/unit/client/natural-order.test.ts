import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { naturalCompare } from '../../../client/src/lib/natural-order.js';

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
const sign = (n: number) => Math.sign(n);

/** A small deterministic generator, so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const natural = suite('naturalCompare');
natural('should order numbers within names by value, so web2 precedes web10', () => {
  const names = ['web10', 'web2', 'db1', 'web1', 'Web3', 'web-2', 'web02b', 'web2a'];
  assert.equal([...names].sort(naturalCompare), [...names].sort(collator.compare));
  assert.ok(naturalCompare('web2', 'web10') < 0);
});
natural('should ignore case and leading zeros, as the collator at base strength does', () => {
  assert.is(naturalCompare('WEB7', 'web007'), 0);
  assert.is(naturalCompare('a0', 'a00'), 0);
  assert.ok(naturalCompare('a', 'a0') < 0);
});
natural('should agree with Intl.Collator (en, numeric, base) on every printable ASCII character', () => {
  for (let x = 32; x < 127; x++) {
    for (let y = 32; y < 127; y++) {
      const a = `h${String.fromCharCode(x)}1`, b = `h${String.fromCharCode(y)}1`;
      assert.is(sign(naturalCompare(a, b)), sign(collator.compare(a, b)), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    }
  }
});
natural('should agree with Intl.Collator on random names of letters, digits and symbols', () => {
  const next = rng(42);
  const alphabet = 'aAbBzZ0012789 -_.:/~$';
  const name = () => Array.from({ length: 1 + Math.floor(next() * 8) }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
  for (let k = 0; k < 20_000; k++) {
    const a = name(), b = name();
    assert.is(sign(naturalCompare(a, b)), sign(collator.compare(a, b)), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  }
});
natural('should hand names with other characters to the collator', () => {
  for (const [a, b] of [['café2', 'cafe10'], ['Ärger', 'arg'], ['web١٠', 'web2'], ['tab\there', 'tab here']]) {
    assert.is(sign(naturalCompare(a, b)), sign(collator.compare(a, b)), `${a} vs ${b}`);
  }
});
natural.run();
