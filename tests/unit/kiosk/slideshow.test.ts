import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createSlideshow, defaultDurations, dueAt, parseDurations, remainingMs, show, stepScreen, tick } from '../../../kiosk/src/lib/slideshow.js';

const step = suite('stepScreen');
step('should go to the next screen in the fixed order and wrap around', () => {
  assert.is(stepScreen('rack', 1), 'gauges');
  assert.is(stepScreen('spotlight', 1), 'rack');
});
step('should go back with -1 and wrap around', () => {
  assert.is(stepScreen('gauges', -1), 'rack');
  assert.is(stepScreen('rack', -1), 'spotlight');
});
step.run();

const tk = suite('tick');
tk('should keep the screen until its duration is up', () => {
  const s = createSlideshow(1000, defaultDurations(15));
  assert.is(tick(s, 1000 + 14_999), s);
});
tk('should advance once the duration is up and restart the clock', () => {
  const s = tick(createSlideshow(1000, defaultDurations(15)), 16_000);
  assert.is(s.screen, 'gauges');
  assert.is(s.since, 16_000);
});
tk('should use each screen\'s own duration', () => {
  const s = createSlideshow(0, { ...defaultDurations(15), rack: 3 });
  assert.is(tick(s, 3000).screen, 'gauges');
});
tk('should never advance a stopped slideshow', () => {
  const s = { ...createSlideshow(0), running: false };
  assert.is(tick(s, 1e9), s);
  assert.is(dueAt(s), null);
  assert.is(remainingMs(s, 5), null);
});
tk('should not skip screens after a long pause of the timer', () => {
  assert.is(tick(createSlideshow(0, defaultDurations(5)), 60_000).screen, 'gauges');
});
tk.run();

const sh = suite('show');
sh('should put the screen up now with its full duration', () => {
  const s = show(createSlideshow(0, defaultDurations(10)), 'alerts', 4000);
  assert.is(s.screen, 'alerts');
  assert.is(remainingMs(s, 4000), 10_000);
});
sh.run();

const pd = suite('parseDurations');
pd('should give 15 s per screen without text', () => {
  assert.equal(parseDurations(null), defaultDurations(15));
  assert.is(parseDurations('').rack, 15);
});
pd('should apply a bare number to every screen', () => {
  assert.equal(parseDurations('4'), defaultDurations(4));
});
pd('should apply screen:seconds pairs on top of a bare number', () => {
  const d = parseDurations('8,rack:20,alerts:5');
  assert.is(d.rack, 20); assert.is(d.alerts, 5); assert.is(d.gauges, 8);
});
pd('should ignore unknown screens and bad numbers', () => {
  assert.equal(parseDurations('bogus:3,rack:x,,top:'), defaultDurations(15));
});
pd('should clamp seconds to 1…3600', () => {
  const d = parseDurations('0,top:99999');
  assert.is(d.rack, 1); assert.is(d.top, 3600);
});
pd.run();
