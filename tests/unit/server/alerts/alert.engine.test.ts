import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AlertEngine, RECENT_MS, type Observation } from '../../../../server/alerts/alert.engine.js';
import { AlertRules, applyUpdate, BUILTIN_RULES } from '../../../../server/alerts/alert.rules.js';

const obs = (over: Partial<Observation> = {}): Observation => ({
  kind: 'load_high', hostId: 1, hostName: 'web-1', subject: '', accountId: null, active: true, value: 3, threshold: 2,
  message: 'web-1: load high', severity: 'warning', forMs: 5000, ...over,
});
const engine = () => { let id = 0; return new AlertEngine(() => ++id); };

// ---------------------------------------------------------------------------
const e = suite('AlertEngine');

e('should open a pending alert and fire it once the condition has held for the duration', () => {
  const en = engine();
  const c1 = en.observe(obs(), 1000);
  assert.equal([c1?.from, c1?.to, c1?.alert.id, c1?.alert.startedAt], [null, 'pending', 1, 1000]);
  assert.is(en.observe(obs({ value: 4 }), 5999), null, 'not yet: 4999 ms');
  assert.is(en.active()[0].value, 4, 'the latest figure is kept');
  const c2 = en.observe(obs(), 6000);
  assert.equal([c2?.from, c2?.to, c2?.alert.firingAt], ['pending', 'firing', 6000]);
  assert.is(en.observe(obs(), 7000), null, 'firing stays firing without a change');
  assert.is(en.firingCount, 1);
});

e('should fire at once when the duration is 0', () => {
  const c = engine().observe(obs({ forMs: 0 }), 50);
  assert.equal([c?.to, c?.alert.firingAt], ['firing', 50]);
});

e('tick should fire a pending alert whose duration passed without a new observation', () => {
  const en = engine();
  en.observe(obs(), 0);
  assert.equal(en.tick(4000), []);
  const out = en.tick(5000);
  assert.equal(out.map((c) => c.to), ['firing']);
});

e('should resolve a firing alert when the condition clears, and a pending one too (never fired, firingAt null)', () => {
  const en = engine();
  en.observe(obs({ forMs: 0 }), 0);
  const r = en.observe(obs({ active: false }), 100);
  assert.equal([r?.from, r?.to, r?.alert.resolvedAt], ['firing', 'resolved', 100]);
  en.observe(obs({ subject: 'x' }), 200);
  const p = en.observe(obs({ subject: 'x', active: false }), 300);
  assert.equal([p?.from, p?.to, p?.alert.firingAt], ['pending', 'resolved', null]);
  assert.equal(en.active(), []);
  assert.is(en.recentResolved().length, 2);
  assert.is(en.observe(obs({ active: false }), 400), null, 'nothing open: no change');
});

e('should open a new episode with a new id after resolution; distinct subjects and hosts are distinct alerts', () => {
  const en = engine();
  const a = en.observe(obs({ forMs: 0 }), 0)!.alert.id;
  en.observe(obs({ active: false }), 10);
  const b = en.observe(obs({ forMs: 0 }), 20)!.alert.id;
  assert.is.not(a, b);
  const c = en.observe(obs({ forMs: 0, hostId: 2 }), 20)!.alert.id;
  const d = en.observe(obs({ forMs: 0, kind: 'disk_full', subject: '/' }), 20)!.alert.id;
  const f = en.observe(obs({ forMs: 0, kind: 'disk_full', subject: '/home' }), 20)!.alert.id;
  assert.is(new Set([b, c, d, f]).size, 4);
  assert.is(en.active().length, 4);
});

e('ack should record who and when once, on open and recently resolved alerts; unknown ids give null', () => {
  const en = engine();
  const id = en.observe(obs({ forMs: 0 }), 0)!.alert.id;
  const c = en.ack(id, 'admin@example.com', 50);
  assert.equal([c?.to, c?.alert.ackedBy, c?.alert.ackedAt, c?.alert.state], ['ack', 'admin@example.com', 50, 'firing']);
  en.ack(id, 'kiosk:wall', 60);
  assert.equal([en.get(id)?.ackedBy, en.get(id)?.ackedAt], ['admin@example.com', 50], 'the first acknowledgement stays');
  en.observe(obs({ active: false }), 70);
  assert.is(en.get(id)?.state, 'resolved');
  assert.is(en.ack(999, 'x', 80), null);
});

e('resolveMissing should resolve only the open alerts of that kind whose subject is gone', () => {
  const en = engine();
  en.observe(obs({ forMs: 0, kind: 'disk_full', subject: '/' }), 0);
  en.observe(obs({ forMs: 0, kind: 'disk_full', subject: '/mnt' }), 0);
  en.observe(obs({ forMs: 0 }), 0);
  const out = en.resolveMissing(1, 'disk_full', new Set(['/']), 10);
  assert.equal(out.map((c) => c.alert.subject), ['/mnt']);
  assert.equal(en.active().map((a) => a.kind).sort(), ['disk_full', 'load_high']);
  assert.is(en.resolveHost(1, 20).length, 2);
  assert.equal(en.active(), []);
});

e('restore should reopen pending and firing alerts (keeping their ids) and forget resolved ones after an hour', () => {
  const en = engine();
  const src = engine();
  const p = src.observe(obs(), 0)!.alert;
  const r = src.observe(obs({ subject: 'gone', forMs: 0 }), 0)!.alert;
  src.observe(obs({ subject: 'gone', active: false }), 10);
  en.restore([{ ...p }, { ...r }], () => 5000);
  assert.equal(en.active().map((a) => a.id), [p.id]);
  assert.equal(en.tick(5000).map((c) => [c.alert.id, c.to]), [[p.id, 'firing']]);
  assert.is(en.recentResolved().length, 1);
  en.tick(10 + RECENT_MS + 1);
  assert.is(en.recentResolved().length, 0);
});

e.run();

// ---------------------------------------------------------------------------
const r = suite('AlertRules');

r('should use the built-in defaults, a changed default, and a host override in that order', () => {
  const rules = new AlertRules();
  assert.equal(rules.ruleFor('load_high', 7), BUILTIN_RULES.load_high);
  rules.set('load_high', null, { ...BUILTIN_RULES.load_high, threshold: 3 });
  assert.is(rules.ruleFor('load_high', 7).threshold, 3);
  rules.set('load_high', 7, { ...BUILTIN_RULES.load_high, threshold: 1, forSeconds: 1 });
  assert.is(rules.ruleFor('load_high', 7).threshold, 1);
  assert.is(rules.ruleFor('load_high', 8).threshold, 3);
  assert.equal(rules.list().map((x) => [x.kind, x.hostId]).slice(-1), [['load_high', 7]]);
  assert.is(rules.remove('load_high', 7), true);
  assert.is(rules.remove('load_high', 7), false);
  assert.is(rules.ruleFor('load_high', 7).threshold, 3);
});

r('applyUpdate should refuse a threshold for a kind without one and null for a kind with one', () => {
  assert.ok('error' in applyUpdate('host_offline', BUILTIN_RULES.host_offline, { threshold: 5 }));
  assert.ok('error' in applyUpdate('disk_full', BUILTIN_RULES.disk_full, { threshold: null }));
  const ok = applyUpdate('disk_full', BUILTIN_RULES.disk_full, { threshold: 80, forSeconds: 10, webhookUrl: 'http://x/' });
  assert.equal('settings' in ok ? ok.settings : null, { enabled: true, threshold: 80, forSeconds: 10, webhookUrl: 'http://x/' });
});

r.run();
