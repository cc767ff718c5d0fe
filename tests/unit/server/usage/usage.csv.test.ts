import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { csvCell, csvLine } from '../../../../server/usage/usage.csv.js';

const cell = suite('csvCell');
cell('should leave plain text and numbers as they are and null empty', () => {
  assert.equal([csvCell('alice'), csvCell(1234), csvCell(0), csvCell(null)], ['alice', '1234', '0', '']);
});
cell('should quote text with commas, quotes or line breaks and double the quotes', () => {
  assert.is(csvCell('a,b'), '"a,b"');
  assert.is(csvCell('say "hi"'), '"say ""hi"""');
  assert.is(csvCell('two\nlines'), '"two\nlines"');
});
cell('should neutralise text a spreadsheet would run as a formula', () => {
  for (const s of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx']) assert.is(csvCell(s).replace(/^"/, '')[0], "'", s);
  assert.is(csvCell('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
});
cell.run();

const line = suite('csvLine');
line('should join cells with commas and end with CRLF', () => {
  assert.is(csvLine(['a', 1, null, 'b,c']), 'a,1,,"b,c"\r\n');
});
line.run();
