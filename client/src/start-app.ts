/**
 * Composition root of the UI: builds the state classes, wires the socket's status into them,
 * and mounts the shell. Nothing here is global; App gets it all as props. The session check and
 * the socket were started by the entry (main.ts) before this chunk ran.
 */
import { mount } from 'svelte';
import type { UserDto } from '../../protocol/api.types.js';
import App from './App.svelte';
import { setUnauthorizedHandler } from './lib/api.js';
import type { LiveClient, LiveStatus } from './lib/live.js';
import { Clock } from './state/clock.svelte.js';
import { ConnectionState } from './state/connection.svelte.js';
import { RouterState } from './state/router.svelte.js';
import { SessionState } from './state/session.svelte.js';
import './app.css';

export interface Boot {
  /** The answer of `GET /api/me`, asked by the entry. */
  me: Promise<UserDto | null>;
  /** The socket owner, already started. */
  live: LiveClient;
  /** Routes the socket's status to `fn` from now on, starting with the current one. */
  followStatus(fn: (status: LiveStatus) => void): void;
}

export function startApp({ me, live, followStatus }: Boot): void {
  const connection = new ConnectionState();
  const session = new SessionState();
  followStatus((status) => {
    connection.status = status;
    if (status === 'unauthorized') session.expired();
  });
  // Any 401 from the API means the session ended: back to the sign-in form.
  setUnauthorizedHandler(() => session.expired());
  const router = new RouterState();
  router.listen();
  void session.check(me);

  const target = document.getElementById('app');
  if (!target) throw new Error('index.html has no #app element');
  mount(App, { target, props: { session, connection, live, router, clock: new Clock() } });
}
