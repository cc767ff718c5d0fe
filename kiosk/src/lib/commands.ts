/**
 * The wall's command reducer: what a KioskCommand from the queue does to the wall's
 * state (slideshow and spotlighted host). Pure; bodies are validated with
 * kioskCommandSchema before they get here.
 */
import { kioskCommandSchema, type KioskCommand } from '../../../protocol/kiosk.schema.js';
import { show, stepScreen, type Slideshow } from './slideshow.js';

export interface WallState {
  slideshow: Slideshow;
  /** Host chosen for the spotlight screen; null: the wall picks the busiest. */
  spotlightHostId: number | null;
}

/** A queue message body as a command, or null when it is not a valid one (ignored by the wall). */
export function parseCommand(body: unknown): KioskCommand | null {
  const r = kioskCommandSchema.safeParse(body);
  return r.success ? r.data : null;
}

export function applyCommand(state: WallState, cmd: KioskCommand, now: number): WallState {
  const ss = state.slideshow;
  switch (cmd.command) {
    case 'start': {
      // Starting restarts the current screen's time (or goes to the named screen).
      return { ...state, slideshow: { ...show(ss, cmd.screen ?? ss.screen, now), running: true } };
    }
    case 'stop':
      return { ...state, slideshow: { ...(cmd.screen ? show(ss, cmd.screen, now) : ss), running: false } };
    case 'next':
      return { ...state, slideshow: show(ss, stepScreen(ss.screen, 1), now) };
    case 'prev':
      return { ...state, slideshow: show(ss, stepScreen(ss.screen, -1), now) };
    case 'show':
      return { ...state, slideshow: show(ss, cmd.screen, now) };
    case 'spotlight':
      return { spotlightHostId: cmd.args.hostId, slideshow: show(ss, 'spotlight', now) };
    case 'durations': {
      const durations = { ...ss.durations, ...cmd.args };
      return { ...state, slideshow: { ...(cmd.screen ? show(ss, cmd.screen, now) : ss), durations } };
    }
  }
}
