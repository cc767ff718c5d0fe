import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { tileLabel } from '../../../kiosk/src/lib/label.js';

const label = suite('tileLabel');
label('should keep a name that fits', () => {
  assert.is(tileLabel('web-1', 10), 'web-1');
  assert.is(tileLabel('node-012.fra1', 13), 'node-012.fra1');
});
label('should drop the domain when the first label fits', () => {
  assert.is(tileLabel('node-012.fra1.example.net', 10), 'node-012');
});
label('should keep the distinguishing end of a long name', () => {
  const l = tileLabel('storage-backend-0042', 9);
  assert.is(l.length, 9);
  assert.ok(l.endsWith('0042'), l);
  assert.ok(l.includes('…'), l);
});
label('should never be longer than asked', () => {
  for (const n of [1, 2, 3, 5, 8]) assert.ok(tileLabel('a-very-long-host-name-17.dc', n).length <= n, String(n));
});
label.run();
