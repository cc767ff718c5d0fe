import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Context } from 'koa';
import { HttpError } from '../../../../server/http/errors.js';
import { authorizeQueue, messagesJson, parseWait } from '../../../../server/queue/queue.routes.js';
import { messengerText } from '../../../../server/queue/queue.messenger.js';

// ---------------------------------------------------------------------------
const mj = suite('messagesJson');

mj('should splice the stored JSON bodies into one valid document, in order', () => {
  const text = messagesJson([{ id: 3, body: '{"a":[1,"x"]}', at: 1000 }, { id: 9, body: '"s\\"q"', at: 1001 }, { id: 10, body: 'null', at: 1002 }]);
  assert.equal(JSON.parse(text), { messages: [{ id: 3, body: { a: [1, 'x'] }, at: 1000 }, { id: 9, body: 's"q', at: 1001 }, { id: 10, body: null, at: 1002 }] });
});

mj('should give an empty list for no messages', () => {
  assert.equal(JSON.parse(messagesJson([])), { messages: [] });
});

mj.run();

// ---------------------------------------------------------------------------
const pw = suite('parseWait');

pw('should return the default when wait is absent, and whole seconds from 0 to the maximum', () => {
  assert.is(parseWait(undefined, 60, 30), 30);
  assert.is(parseWait('0', 60, 30), 0);
  assert.is(parseWait('60', 60, 30), 60);
});

pw('should throw a 400 naming wait for anything else', () => {
  for (const bad of ['61', '-1', '1.5', '', 'ten', '1e1', ['1', '2']]) {
    assert.throws(() => parseWait(bad, 60, 30), (e: unknown) => e instanceof HttpError && e.status === 400 && e.field === 'wait', `accepted ${JSON.stringify(bad)}`);
  }
});

pw.run();

// ---------------------------------------------------------------------------
const az = suite('authorizeQueue');

const user = (role: 'admin' | 'customer') => ({ id: 1, email: `${role}@example.com`, passwordHash: '', name: null, role, createdAt: 0 });
const kiosk = (id: number, revokedAt: number | null = null) => ({ id, name: 'wall', tokenHash: '', canAck: false, createdAt: 0, lastUsedAt: null, revokedAt, createdBy: null });
const as = (state: Record<string, unknown>) => ({ state: { user: null, ...state } }) as unknown as Context;
const status = (code: number) => (e: unknown) => e instanceof HttpError && e.status === code;

az('should let an admin push to and pop from any queue', () => {
  authorizeQueue(as({ user: user('admin') }), 'wall', 'push');
  authorizeQueue(as({ user: user('admin') }), 'kiosk-7', 'pop');
});

az('should let a kiosk use only its own queue kiosk-<id>, and throw 404 for any other', () => {
  authorizeQueue(as({ kiosk: kiosk(7) }), 'kiosk-7', 'push');
  authorizeQueue(as({ kiosk: kiosk(7) }), 'kiosk-7', 'pop');
  for (const q of ['kiosk-8', 'wall', 'kiosk-70']) assert.throws(() => authorizeQueue(as({ kiosk: kiosk(7) }), q, 'pop'), status(404), q);
});

az('should throw 403 to a customer, and 401 without a user or with a revoked kiosk', () => {
  assert.throws(() => authorizeQueue(as({ user: user('customer') }), 'wall', 'push'), status(403));
  assert.throws(() => authorizeQueue(as({ user: user('customer') }), 'kiosk-1', 'pop'), status(403));
  assert.throws(() => authorizeQueue(as({}), 'wall', 'pop'), status(401));
  assert.throws(() => authorizeQueue(as({ kiosk: kiosk(7, 1) }), 'kiosk-7', 'pop'), status(401));
});

az.run();

// ---------------------------------------------------------------------------
const mt = suite('messengerText');

mt('should answer a string body as the string itself, and any other body as its JSON text', () => {
  assert.is(messengerText('"next slide"'), 'next slide');
  assert.is(messengerText('""'), '');
  assert.is(messengerText('{"screen":2}'), '{"screen":2}');
  assert.is(messengerText('42'), '42');
});

mt.run();
