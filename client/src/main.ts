/**
 * Composition root: builds the socket owner and the state classes, wires the socket's
 * status into them, and mounts the shell. Nothing here is global; App gets it all as props.
 */
import { mount } from 'svelte';
import App from './App.svelte';
import { setUnauthorizedHandler } from './lib/api.js';
import { LiveClient } from './lib/live.js';
import { Clock } from './state/clock.svelte.js';
import { ConnectionState } from './state/connection.svelte.js';
import { RouterState } from './state/router.svelte.js';
import { SessionState } from './state/session.svelte.js';
import './app.css';

const connection = new ConnectionState();
const session = new SessionState();
const live = new LiveClient({
  onStatus: (status) => {
    connection.status = status;
    if (status === 'unauthorized') session.expired();
  },
});
// Any 401 from the API means the session ended: back to the sign-in form.
setUnauthorizedHandler(() => session.expired());
const router = new RouterState();
router.listen();
void session.check();
// Open the live feed at once with the session cookie, alongside the check above, instead of after
// it: the first live figures arrive a round trip sooner. Without a session the hub refuses it
// (`unauthorized`), which changes nothing; signing in starts it again.
live.start();

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');
mount(App, { target, props: { session, connection, live, router, clock: new Clock() } });
