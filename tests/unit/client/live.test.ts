import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { FleetSnapshot, HostSummary, SubscribeReply } from '../../../protocol/live.schema.js';
import { HOLD_MAX_DELTAS, LiveClient, UNAUTHORIZED, type LiveSocket, type LiveStatus } from '../../../client/src/lib/live.js';

type Handler = (...args: any[]) => void;

/** Just enough of a socket.io client socket, driven by the test as the hub would. */
class FakeSocket {
  connected = false;
  active = false;
  handlers = new Map<string, Handler[]>();
  /** Every emit: event, payload and the acknowledgement callback. */
  sent: { event: string; payload: any; ack: Handler; timeout: boolean }[] = [];
  connects = 0;

  on(event: string, fn: Handler) {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), fn]);
    return this;
  }
  emit(event: string, payload: unknown, ack: Handler) {
    this.sent.push({ event, payload, ack, timeout: false });
    return this;
  }
  timeout(_ms: number) {
    return { emit: (event: string, payload: unknown, ack: Handler) => {
      this.sent.push({ event, payload, ack, timeout: true });
    } };
  }
  connect() {
    this.connects++;
    this.active = true;
    return this;
  }
  disconnect() {
    const was = this.connected;
    this.active = false;
    this.connected = false;
    if (was) this.fire('disconnect', 'io client disconnect');
    return this;
  }
  fire(event: string, ...args: unknown[]) {
    for (const fn of this.handlers.get(event) ?? []) fn(...args);
  }
  // What the hub and the network do:
  accept() {
    this.connected = true;
    this.fire('connect');
  }
  drop(reason = 'transport close', stillActive = true) {
    this.connected = false;
    this.active = stillActive;
    this.fire('disconnect', reason);
  }
  refuse(message: string) {
    this.active = false; // a middleware refusal is not retried by socket.io
    this.fire('connect_error', Object.assign(new Error(message), { data: undefined }));
  }
  subscribes() {
    return this.sent.filter((s) => s.event === 'subscribe').map((s) => s.payload.topic);
  }
}

function setup(opts: { retryMinMs?: number } = {}) {
  const socket = new FakeSocket();
  const statuses: LiveStatus[] = [];
  const client = new LiveClient({
    createSocket: () => socket as unknown as LiveSocket,
    onStatus: (s) => statuses.push(s),
    retryMinMs: opts.retryMinMs ?? 5,
    retryMaxMs: 20,
  });
  return { socket, statuses, client };
}

function host(id: number): HostSummary {
  return {
    id, name: `h${id}`, hostname: null, online: true, lastSeenAt: 1, agentVersion: null, cpus: null,
    latest: null, disks: [], accounts: 0, monthlyCostCents: null,
  };
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const live = suite('LiveClient');

live('start() should report connecting, then connected once the hub accepts', () => {
  const { socket, statuses, client } = setup();
  client.start();
  assert.is(socket.connects, 1);
  socket.accept();
  assert.equal(statuses, ['connecting', 'connected']);
  assert.is(client.status, 'connected');
});

live('start() should not open a second connection while one is active', () => {
  const { socket, client } = setup();
  client.start();
  client.start();
  assert.is(socket.connects, 1);
});

live('subscribe() before connecting should ask for the topic on connect', () => {
  const { socket, client } = setup();
  client.subscribe('fleet', { snapshot() {}, delta() {} });
  client.start();
  assert.equal(socket.subscribes(), []);
  socket.accept();
  assert.equal(socket.subscribes(), ['fleet']);
});

live('subscribe() should ask the hub once per topic however many listeners there are', () => {
  const { socket, client } = setup();
  client.start();
  socket.accept();
  client.subscribe('host:3', { snapshot() {}, delta() {} });
  client.subscribe('host:3', { snapshot() {}, delta() {} });
  assert.equal(socket.subscribes(), ['host:3']);
});

live('should hand snapshots and deltas to the listeners of their topic only', () => {
  const { socket, client } = setup();
  client.start();
  socket.accept();
  const got: string[] = [];
  client.subscribe('fleet', {
    snapshot: (s: FleetSnapshot) => got.push(`snapshot:${s.hosts.length}`),
    delta: (d) => got.push(`delta:${d.hosts.map((h) => h.id).join(',')}`),
  });
  socket.fire('snapshot', { topic: 'fleet', data: { hosts: [host(1), host(2)] } });
  socket.fire('delta', { topic: 'fleet', data: { hosts: [host(2)] } });
  socket.fire('delta', { topic: 'host:9', data: { host: host(9), points: [] } });
  assert.equal(got, ['snapshot:2', 'delta:2']);
});

live('should ignore a malformed message instead of throwing', () => {
  const { socket, client } = setup();
  client.start();
  socket.accept();
  let calls = 0;
  client.subscribe('fleet', { snapshot: () => calls++, delta: () => calls++ });
  socket.fire('snapshot', null);
  socket.fire('delta', { topic: 'fleet' });
  assert.is(calls, 0);
});

live('should report reconnecting after a drop and subscribe to every topic again on reconnect', () => {
  const { socket, statuses, client } = setup();
  client.subscribe('fleet', { snapshot() {}, delta() {} });
  client.subscribe('host:4', { snapshot() {}, delta() {} });
  client.start();
  socket.accept();
  socket.drop();
  assert.is(client.status, 'reconnecting');
  socket.accept();
  assert.equal(socket.subscribes(), ['fleet', 'host:4', 'fleet', 'host:4']);
  assert.equal(statuses, ['connecting', 'connected', 'reconnecting', 'connected']);
});

live('should report unauthorized and stop retrying on an "unauthorized" connect error', () => {
  const { socket, client } = setup();
  client.start();
  socket.refuse(UNAUTHORIZED);
  assert.is(client.status, 'unauthorized');
  assert.is(socket.active, false);
});

live('should retry by itself after the hub closes the connection', async () => {
  const { socket, client } = setup({ retryMinMs: 5 });
  client.start();
  socket.accept();
  socket.drop('io server disconnect', false);
  assert.is(socket.connects, 1);
  await sleep(30);
  assert.is(socket.connects, 2);
  client.stop();
});

live('should retry by itself after a connect error other than unauthorized', async () => {
  const { socket, client } = setup({ retryMinMs: 5 });
  client.start();
  socket.refuse('server error');
  assert.is(client.status, 'connecting');
  await sleep(30);
  assert.is(socket.connects, 2);
  client.stop();
});

live('should pass a refused subscription to the listener\'s error', () => {
  const { socket, client } = setup();
  client.start();
  socket.accept();
  const errors: string[] = [];
  client.subscribe('host:8', { snapshot() {}, delta() {}, error: (e) => errors.push(e.code) });
  const reply: SubscribeReply = { ok: false, error: { code: 'not_found', message: 'No such host' } };
  socket.sent[0].ack(null, reply);
  assert.equal(errors, ['not_found']);
});

live('should report a subscription the hub did not acknowledge in time as a timeout', () => {
  const { socket, client } = setup();
  client.start();
  socket.accept();
  const errors: string[] = [];
  client.subscribe('fleet', { snapshot() {}, delta() {}, error: (e) => errors.push(e.code) });
  assert.ok(socket.sent[0].timeout);
  socket.sent[0].ack(new Error('operation has timed out'));
  assert.equal(errors, ['timeout']);
});

live('the returned function should unsubscribe at the hub only after the last listener', () => {
  const { socket, client } = setup();
  client.start();
  socket.accept();
  const off1 = client.subscribe('fleet', { snapshot() {}, delta() {} });
  const off2 = client.subscribe('fleet', { snapshot() {}, delta() {} });
  off1();
  assert.is(socket.sent.filter((s) => s.event === 'unsubscribe').length, 0);
  off2();
  off2();
  assert.equal(socket.sent.filter((s) => s.event === 'unsubscribe').map((s) => s.payload), [{ topic: 'fleet' }]);
  assert.equal(client.topics, []);
});

live('stop() should disconnect, report idle and not reconnect', async () => {
  const { socket, client } = setup({ retryMinMs: 5 });
  client.start();
  socket.accept();
  client.stop();
  assert.is(client.status, 'idle');
  assert.is(socket.connected, false);
  await sleep(20);
  assert.is(socket.connects, 1);
});

live('hold() should ask for the topic on connect and give what came to the first listener, once', () => {
  const { socket, client } = setup();
  client.start();
  client.hold('fleet');
  socket.accept();
  assert.equal(socket.subscribes(), ['fleet']);
  socket.fire('snapshot', { topic: 'fleet', data: { hosts: [host(1), host(2)] } });
  socket.fire('delta', { topic: 'fleet', data: { hosts: [host(2)] } });
  const got: string[] = [];
  const listener = {
    snapshot: (s: FleetSnapshot) => got.push(`snapshot:${s.hosts.length}`),
    delta: (d: { hosts: HostSummary[] }) => got.push(`delta:${d.hosts.map((h) => h.id).join(',')}`),
  };
  client.subscribe('fleet', listener);
  assert.equal(got, ['snapshot:2', 'delta:2'], 'replayed before subscribe() returns');
  socket.fire('delta', { topic: 'fleet', data: { hosts: [host(1)] } });
  assert.equal(got, ['snapshot:2', 'delta:2', 'delta:1']);
  assert.equal(socket.subscribes(), ['fleet'], 'the hub was asked once');
  const second: string[] = [];
  client.subscribe('fleet', { snapshot: () => second.push('snapshot'), delta: () => second.push('delta') });
  assert.equal(second, [], 'the hold was let go when the first listener came');
});

live('hold() should hand nothing over before the snapshot, and the listener then gets the snapshot live', () => {
  const { socket, client } = setup();
  client.start();
  socket.accept();
  client.hold('fleet');
  const got: string[] = [];
  client.subscribe('fleet', { snapshot: () => got.push('snapshot'), delta: () => got.push('delta') });
  assert.equal(got, []);
  socket.fire('snapshot', { topic: 'fleet', data: { hosts: [] } });
  assert.equal(got, ['snapshot']);
  assert.equal(socket.subscribes(), ['fleet']);
});

live('hold() should let go after its time without a listener, and the hub is told', async () => {
  const { socket, client } = setup();
  client.start();
  socket.accept();
  client.hold('fleet', 5);
  await sleep(20);
  assert.equal(client.topics, []);
  assert.equal(socket.sent.filter((s) => s.event === 'unsubscribe').map((s) => s.payload), [{ topic: 'fleet' }]);
});

live('hold() should let go past HOLD_MAX_DELTAS deltas; a later listener asks the hub afresh', () => {
  const { socket, client } = setup();
  client.start();
  socket.accept();
  client.hold('fleet');
  socket.fire('snapshot', { topic: 'fleet', data: { hosts: [] } });
  for (let i = 0; i <= HOLD_MAX_DELTAS; i++) socket.fire('delta', { topic: 'fleet', data: { hosts: [host(1)] } });
  assert.equal(client.topics, []);
  const got: string[] = [];
  client.subscribe('fleet', { snapshot: () => got.push('snapshot'), delta: () => got.push('delta') });
  assert.equal(got, []);
  assert.equal(socket.subscribes(), ['fleet', 'fleet']);
});

live('hold() should let go when the hub refuses the topic', () => {
  const { socket, client } = setup();
  client.start();
  socket.accept();
  client.hold('fleet');
  socket.sent[0].ack(null, { ok: false, error: { code: 'not_found', message: 'no such topic or not allowed' } } satisfies SubscribeReply);
  assert.equal(client.topics, []);
});

live('hold() should do nothing for a topic that already has a listener', () => {
  const { socket, client } = setup();
  client.start();
  socket.accept();
  const got: string[] = [];
  client.subscribe('fleet', { snapshot: () => got.push('snapshot'), delta() {} });
  client.hold('fleet');
  socket.fire('snapshot', { topic: 'fleet', data: { hosts: [] } });
  assert.equal(got, ['snapshot']);
  assert.equal(socket.subscribes(), ['fleet']);
});

live.run();
