/** The touchscreen controller's entry: token, who this kiosk is, then the controller (or a full-screen message). */
import '../shared/zod.js';
import './touch.css';
import { forgetToken, KioskApi, takeToken, UnauthorizedError } from '../shared/auth.js';
import { showFatal, showNoToken, showRevoked } from '../shared/fatal.js';
import { Controller } from './controller.js';

async function boot(token: string): Promise<void> {
  let ctl: Controller | null = null;
  const refused = () => { ctl?.stop(); forgetToken(); showRevoked(); };
  const api = new KioskApi(token, refused);
  const root = document.getElementById('app')!;
  for (let delay = 1000; ; delay = Math.min(10_000, delay * 2)) {
    try {
      const kiosk = await api.me();
      ctl = new Controller(api, kiosk, root, refused);
      ctl.start();
      return;
    } catch (err) {
      if (err instanceof UnauthorizedError) return;
      root.textContent = 'Connecting to the hub…';
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

const token = takeToken();
if (!token) showNoToken();
else boot(token).catch((err) => showFatal('The controller stopped', String(err?.message ?? err)));
