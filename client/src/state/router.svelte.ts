/** The current hash route, following `hashchange`. */
import { parseHash, type Route } from '../lib/route.js';

export class RouterState {
  route = $state.raw<Route>(parseHash(location.hash));

  /** Starts following the address bar; returns the function that stops. */
  listen(): () => void {
    const update = () => {
      this.route = parseHash(location.hash);
    };
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }
}
