/**
 * Slideshow timing and ordering for the wall: which screen is up, since when, for how
 * long (per-screen durations, s) and whether it advances by itself. Pure: the caller
 * passes the clock and owns the timer.
 */
import { KIOSK_SCREENS, type KioskScreen } from '../../../protocol/kiosk.schema.js';

export type Durations = Record<KioskScreen, number>;

export interface Slideshow {
  running: boolean;
  screen: KioskScreen;
  /** When the current screen came up, Unix ms. */
  since: number;
  /** How long each screen stays up, s. */
  durations: Durations;
}

/** Default time on each screen, s. */
export const DEFAULT_DURATION_S = 15;
/** Bounds for durations from the URL, s (commands have their own, stricter schema). */
export const MIN_DURATION_S = 1;
export const MAX_DURATION_S = 3600;

export function defaultDurations(seconds = DEFAULT_DURATION_S): Durations {
  return Object.fromEntries(KIOSK_SCREENS.map((s) => [s, seconds])) as Durations;
}

export function createSlideshow(now: number, durations: Durations = defaultDurations(), screen: KioskScreen = KIOSK_SCREENS[0]): Slideshow {
  return { running: true, screen, since: now, durations };
}

/** The screen `step` places after `screen` in the fixed order, wrapping around (step -1: before). */
export function stepScreen(screen: KioskScreen, step: 1 | -1): KioskScreen {
  const i = KIOSK_SCREENS.indexOf(screen);
  return KIOSK_SCREENS[(i + step + KIOSK_SCREENS.length) % KIOSK_SCREENS.length];
}

/** Unix ms when the current screen is due to change, or null when the slideshow is stopped. */
export function dueAt(s: Slideshow): number | null {
  return s.running ? s.since + s.durations[s.screen] * 1000 : null;
}

/** Puts `screen` up now (its full duration starts again, even when it was already up). */
export function show(s: Slideshow, screen: KioskScreen, now: number): Slideshow {
  return { ...s, screen, since: now };
}

/** Advances to the next screen when the current one's time is up (never skips more than one). */
export function tick(s: Slideshow, now: number): Slideshow {
  const due = dueAt(s);
  return due !== null && now >= due ? show(s, stepScreen(s.screen, 1), now) : s;
}

/** Milliseconds left on the current screen (0 when due; null when stopped). */
export function remainingMs(s: Slideshow, now: number): number | null {
  const due = dueAt(s);
  return due === null ? null : Math.max(0, due - now);
}

/**
 * Durations from the URL's `?durations=`: a number of seconds for every screen ("10"), or
 * `screen:seconds` pairs ("rack:20,alerts:5"), or both ("8,rack:20"). Unknown screens and bad
 * numbers are ignored; seconds are clamped to 1…3600.
 */
export function parseDurations(text: string | null | undefined, base: Durations = defaultDurations()): Durations {
  const out = { ...base };
  if (!text) return out;
  const clamp = (n: number) => Math.min(MAX_DURATION_S, Math.max(MIN_DURATION_S, Math.round(n)));
  for (const part of text.split(',')) {
    const [a, b] = part.split(':').map((x) => x.trim());
    if (b === undefined) {
      const n = Number(a);
      if (a !== '' && Number.isFinite(n)) for (const s of KIOSK_SCREENS) out[s] = clamp(n);
    } else if ((KIOSK_SCREENS as readonly string[]).includes(a)) {
      const n = Number(b);
      if (b !== '' && Number.isFinite(n)) out[a as KioskScreen] = clamp(n);
    }
  }
  return out;
}
