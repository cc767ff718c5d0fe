/**
 * A dashboard in a process of its own, for the ingest benchmark (see
 * lib/dashboard.ts for why). Env: DASHBOARD_URL, DASHBOARD_COOKIE,
 * DASHBOARD_TOPICS (comma-separated). Prints `{"ready":true}` (or
 * `{"error":…}` and exits) once subscribed; then answers each stdin line
 * `{"take":[fromMs,toMs]}` with one line of LatencyStats. Exits when stdin closes.
 */
import { createInterface } from 'node:readline';
import type { Topic } from '../protocol/index.js';
import { Dashboard } from './lib/dashboard.js';

const url = process.env.DASHBOARD_URL ?? '';
const cookie = process.env.DASHBOARD_COOKIE ?? '';
const topics = (process.env.DASHBOARD_TOPICS ?? '').split(',').filter(Boolean) as Topic[];

const say = (x: unknown) => process.stdout.write(JSON.stringify(x) + '\n');

try {
  const dashboard = await Dashboard.open(url, cookie, topics);
  createInterface({ input: process.stdin })
    .on('line', (line) => {
      const req = JSON.parse(line) as { take?: [number, number] };
      if (req.take) say(dashboard.take(req.take[0], req.take[1]));
    })
    .on('close', () => process.exit(0));
  say({ ready: true });
} catch (e) {
  say({ error: (e as Error).message });
  process.exit(1);
}
