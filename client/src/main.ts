/**
 * Entry: starts what the first screen waits for — the session check (`GET /api/me`) and the
 * `/live` socket — as soon as this small chunk has run, then hands both to the app (Svelte,
 * the pages). The browser fetches the app's chunk alongside this one (a modulepreload link in
 * index.html) and compiles and runs it while the socket's handshake is under way.
 */
import { fetchMe } from './lib/api.js';
import { LiveClient, type LiveStatus } from './lib/live.js';
import { parseHash } from './lib/route.js';

const me = fetchMe();
me.catch(() => {}); // the app reads the outcome; a failure must not count as unhandled meanwhile

// The app's connection state takes over the status once it is built.
let onStatus: (status: LiveStatus) => void = () => {};
const live = new LiveClient({ onStatus: (status) => onStatus(status) });
// Open the live feed at once with the session cookie, alongside the session check, instead of
// after it: the first live figures arrive sooner. Without a session the hub refuses it
// (`unauthorized`), which changes nothing; signing in starts it again.
live.start();
// An admin opening the fleet overview: ask for its topics as soon as the socket is up, not once
// the app has mounted the page; the page takes what arrived when it subscribes (LiveClient.hold).
me.then((user) => {
  if (user?.role !== 'admin' || parseHash(location.hash).name !== 'fleet') return;
  live.hold('fleet');
  live.hold('alerts');
}, () => {});

const { startApp } = await import('./start-app.js');
startApp({ me, live, followStatus: (fn) => { onStatus = fn; fn(live.status); } });
