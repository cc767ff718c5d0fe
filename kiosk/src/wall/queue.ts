/**
 * The wall's command loop: long-polls its queue (`consumer=wall`, 25 s waits), validates
 * every body with kioskCommandSchema (invalid ones are ignored) and hands valid commands
 * on. Errors back off from 1 s up to 10 s; a refused token ends the loop.
 */
import type { KioskCommand } from '../../../protocol/kiosk.schema.js';
import { parseCommand } from '../lib/commands.js';
import { UnauthorizedError, type KioskApi } from '../shared/auth.js';

const WAIT_S = 25;
const BACKOFF_MIN_MS = 1000;
const BACKOFF_MAX_MS = 10_000;

export function runCommandLoop(api: KioskApi, queue: string, onCommand: (c: KioskCommand) => void, onIgnored: (body: unknown) => void = () => {}): () => void {
  let stopped = false;
  const ac = new AbortController();
  (async () => {
    let backoff = BACKOFF_MIN_MS;
    while (!stopped) {
      try {
        // A little longer than the wait, so a connection the network silently dropped is given up.
        const signal = AbortSignal.any([ac.signal, AbortSignal.timeout((WAIT_S + 15) * 1000)]);
        const asked = Date.now();
        const res = await api.request('GET', `/api/queues/${encodeURIComponent(queue)}/messages?consumer=wall&wait=${WAIT_S}`, undefined, signal);
        if (res.status === 204) {
          // An empty answer long before the wait was up (a hub shutting down): do not ask again at once.
          if (Date.now() - asked < 1000) throw new Error('empty answer before the wait');
          backoff = BACKOFF_MIN_MS;
          continue;
        }
        backoff = BACKOFF_MIN_MS;
        const b = (await res.json()) as { messages?: { body: unknown }[] };
        for (const m of b.messages ?? []) {
          const cmd = parseCommand(m.body);
          if (cmd) onCommand(cmd); else onIgnored(m.body);
        }
      } catch (err) {
        if (err instanceof UnauthorizedError || stopped) return;
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(BACKOFF_MAX_MS, backoff * 2);
      }
    }
  })();
  return () => { stopped = true; ac.abort(); };
}
