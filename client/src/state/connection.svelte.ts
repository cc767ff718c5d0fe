/** Connection status of the `/live` socket, as the reconnect banner shows it. */
import type { LiveStatus } from '../lib/live.js';

export class ConnectionState {
  /** Fed by the LiveClient's `onStatus`. */
  status = $state<LiveStatus>('idle');

  /** Banner text while the dashboard is not live, or null when it is (or is not meant to be). */
  readonly banner = $derived(
    this.status === 'connecting' ? 'Connecting to the hub…'
      : this.status === 'reconnecting' ? 'Reconnecting… figures shown may be out of date.'
        : null,
  );
}
