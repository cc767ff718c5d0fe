/** The wall display's entry: token, who this kiosk is, then the wall (or a full-screen message). */
import '../shared/zod.js';
import './wall.css';
import { parseDurations } from '../lib/slideshow.js';
import { forgetToken, KioskApi, takeToken, UnauthorizedError } from '../shared/auth.js';
import { showFatal, showNoToken, showRevoked } from '../shared/fatal.js';
import { Wall } from './wall.js';

async function boot(token: string): Promise<void> {
  let wall: Wall | null = null;
  const refused = () => { wall?.stop(); forgetToken(); showRevoked(); };
  const api = new KioskApi(token, refused);
  const screen = document.getElementById('screen')!;
  for (let delay = 1000; ; delay = Math.min(10_000, delay * 2)) {
    try {
      const kiosk = await api.me();
      const durations = parseDurations(new URL(window.location.href).searchParams.get('durations'));
      wall = new Wall(api, kiosk, durations, { screen, status: document.getElementById('status')!, banner: document.getElementById('banner')! }, refused);
      wall.start();
      return;
    } catch (err) {
      if (err instanceof UnauthorizedError) return;
      screen.textContent = 'Connecting to the hub…';
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

const token = takeToken();
if (!token) showNoToken();
else boot(token).catch((err) => showFatal('The wall stopped', String(err?.message ?? err)));
