/** Who is signed in: checks the session cookie at start, signs in and out. */
import type { UserDto } from '../../../protocol/api.types.js';
import { ApiRequestError, createSession, deleteSession, fetchMe } from '../lib/api.js';

/** `checking` until `GET /api/me` answers once. */
export type SessionPhase = 'checking' | 'signedOut' | 'signedIn';

function messageOf(e: unknown): string {
  return e instanceof ApiRequestError ? e.message : 'Something went wrong. Try again.';
}

export class SessionState {
  user = $state.raw<UserDto | null>(null);
  /** Set once the first check is done. */
  checked = $state(false);
  /** A sign-in or sign-out request is under way. */
  pending = $state(false);
  /** Why the last sign-in failed, or why the user was signed out; shown on the sign-in form. */
  error = $state<string | null>(null);

  readonly phase: SessionPhase = $derived(!this.checked ? 'checking' : this.user ? 'signedIn' : 'signedOut');
  readonly isAdmin = $derived(this.user?.role === 'admin');

  /** Asks the hub whether the session cookie is still good (or takes the answer to a question already asked). */
  async check(asked: Promise<UserDto | null> = fetchMe()): Promise<void> {
    try {
      this.user = await asked;
    } catch (e) {
      this.user = null;
      this.error = messageOf(e);
    } finally {
      this.checked = true;
    }
  }

  async signIn(email: string, password: string): Promise<void> {
    if (this.pending) return;
    this.pending = true;
    this.error = null;
    try {
      this.user = await createSession(email, password);
    } catch (e) {
      this.error = e instanceof ApiRequestError && e.status === 401
        ? 'Wrong email or password.'
        : messageOf(e);
    } finally {
      this.pending = false;
    }
  }

  async signOut(): Promise<void> {
    if (this.pending) return;
    this.pending = true;
    try {
      await deleteSession();
    } catch {
      // Forget the user anyway: the cookie is HttpOnly, and a dead hub will refuse it too.
    } finally {
      this.pending = false;
      this.user = null;
      this.error = null;
    }
  }

  /** The hub refused the session (socket `unauthorized`): back to the sign-in form. */
  expired(): void {
    if (!this.user) return;
    this.user = null;
    this.error = 'Your session has ended. Please sign in again.';
  }
}
