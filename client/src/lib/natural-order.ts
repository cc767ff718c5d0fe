/**
 * Natural order of names ("web2" before "web10", case ignored), as
 * `new Intl.Collator('en', { numeric: true, sensitivity: 'base' }).compare` orders them, but
 * without building that collator for the usual names. In a fresh renderer the first collator
 * costs 20–35 ms of main thread (ICU loads its collation data) on the way to the fleet
 * overview's first figures; names of printable ASCII (host names) are compared here with a
 * table of the same order instead. Any other name is handed to the collator, built then.
 */

/** Printable ASCII other than letters and digits, in the order ICU's collation for `en` gives them. */
const SYMBOLS = ' _-,;:!?.\'"()[]{}@*/\\&#%`^+<=>|~$';

/** Where a character of printable ASCII sorts: symbols first, then numbers, then letters (case ignored). */
const RANK = new Uint8Array(127);
for (let i = 0; i < SYMBOLS.length; i++) RANK[SYMBOLS.charCodeAt(i)] = 1 + i;
const NUMBER = 1 + SYMBOLS.length;
for (let c = 48; c <= 57; c++) RANK[c] = NUMBER;
for (let i = 0; i < 26; i++) RANK[65 + i] = RANK[97 + i] = NUMBER + 1 + i;

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

let collator: Intl.Collator | null = null;

const isDigit = (c: number) => c >= 48 && c <= 57;

/** Negative, zero or positive as `a` sorts before, with or after `b`. */
export function naturalCompare(a: string, b: string): number {
  if (!PRINTABLE_ASCII.test(a) || !PRINTABLE_ASCII.test(b)) {
    collator ??= new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
    return collator.compare(a, b);
  }
  let i = 0, j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.charCodeAt(i), cb = b.charCodeAt(j);
    if (isDigit(ca) && isDigit(cb)) {
      // Runs of digits compare by value: leading zeros do not count, then the longer run is larger.
      while (a.charCodeAt(i) === 48) i++;
      while (b.charCodeAt(j) === 48) j++;
      let ei = i, ej = j;
      while (isDigit(a.charCodeAt(ei))) ei++;
      while (isDigit(b.charCodeAt(ej))) ej++;
      if (ei - i !== ej - j) return ei - i - (ej - j);
      for (; i < ei; i++, j++) {
        const d = a.charCodeAt(i) - b.charCodeAt(j);
        if (d !== 0) return d;
      }
      continue;
    }
    const d = RANK[ca] - RANK[cb];
    if (d !== 0) return d;
    i++;
    j++;
  }
  return (a.length - i) - (b.length - j);
}
