import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { applyCommand, parseCommand, type WallState } from '../../../kiosk/src/lib/commands.js';
import { createSlideshow, defaultDurations } from '../../../kiosk/src/lib/slideshow.js';

const initial = (): WallState => ({ slideshow: createSlideshow(0, defaultDurations(15)), spotlightHostId: null });

const parse = suite('parseCommand');
parse('should accept every command of the contract', () => {
  for (const body of [{ command: 'start' }, { command: 'stop' }, { command: 'next' }, { command: 'prev' }, { command: 'show', screen: 'top' },
    { command: 'spotlight', args: { hostId: 3 } }, { command: 'durations', args: { rack: 5, gauges: 5, alerts: 10, top: 5, spotlight: 30 } }]) assert.ok(parseCommand(body), JSON.stringify(body));
});
parse('should return null for invalid bodies (the wall ignores them)', () => {
  for (const body of [null, 'next', 42, {}, { command: 'reboot' }, { command: 'show' }, { command: 'show', screen: 'nope' },
    { command: 'spotlight', args: { hostId: -1 } }, { command: 'durations', args: { rack: 1, gauges: 5, alerts: 10, top: 5, spotlight: 30 } }, { command: 'next', extra: true }]) assert.is(parseCommand(body), null, JSON.stringify(body));
});
parse.run();

const apply = suite('applyCommand');
apply('should stop and start the slideshow, restarting the current screen\'s time on start', () => {
  const stopped = applyCommand(initial(), { command: 'stop' }, 5000);
  assert.is(stopped.slideshow.running, false);
  assert.is(stopped.slideshow.screen, 'rack');
  const started = applyCommand(stopped, { command: 'start' }, 9000);
  assert.is(started.slideshow.running, true);
  assert.is(started.slideshow.since, 9000);
});
apply('should step with next and prev', () => {
  assert.is(applyCommand(initial(), { command: 'next' }, 1).slideshow.screen, 'gauges');
  assert.is(applyCommand(initial(), { command: 'prev' }, 1).slideshow.screen, 'spotlight');
});
apply('should jump with show and keep the running state', () => {
  const s = applyCommand({ ...initial(), slideshow: { ...initial().slideshow, running: false } }, { command: 'show', screen: 'alerts' }, 7);
  assert.is(s.slideshow.screen, 'alerts'); assert.is(s.slideshow.since, 7); assert.is(s.slideshow.running, false);
});
apply('should spotlight a host and show the spotlight screen', () => {
  const s = applyCommand(initial(), { command: 'spotlight', args: { hostId: 12 } }, 3);
  assert.is(s.spotlightHostId, 12); assert.is(s.slideshow.screen, 'spotlight');
});
apply('should merge durations without moving the slideshow', () => {
  const s = applyCommand(initial(), { command: 'durations', args: { rack: 5, gauges: 15, alerts: 10, top: 60, spotlight: 30 } }, 100);
  assert.equal(s.slideshow.durations, { rack: 5, gauges: 15, alerts: 10, top: 60, spotlight: 30 });
  assert.is(s.slideshow.since, 0); assert.is(s.slideshow.screen, 'rack');
});
apply('should not change the state it was given', () => {
  const s = initial();
  const copy = structuredClone(s);
  applyCommand(s, { command: 'durations', args: { rack: 5, gauges: 5, alerts: 5, top: 5, spotlight: 5 } }, 1);
  applyCommand(s, { command: 'next' }, 1);
  assert.equal(s, copy);
});
apply.run();
