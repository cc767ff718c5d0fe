/**
 * Webhook delivery: POST an AlertWebhookPayload as JSON, 5 s timeout per attempt, retried with
 * exponential backoff (first retry after `retryMs`, then 2×, 4×, 8×: 5 attempts in all). A 2xx
 * answer is success; anything else, a timeout or a network error is a failed attempt. Deliveries
 * run in the background and never block evaluation; at most MAX_INFLIGHT are in progress (more
 * are dropped and counted as failures). Each outcome is reported to `onOutcome`.
 */
import type { AlertWebhookPayload } from '../../protocol/index.js';
import type { Logger } from '../logger.js';

export const ATTEMPTS = 5;
export const TIMEOUT_MS = 5000;
export const MAX_INFLIGHT = 1000;

export interface WebhookOutcome { ruleKey: string; ok: boolean; error: string | null; at: number; attempt: number; final: boolean }

export class WebhookSender {
  private inflight = 0;
  private timers = new Set<NodeJS.Timeout>();
  private aborts = new Set<AbortController>();
  private stopped = false;

  constructor(private onOutcome: (o: WebhookOutcome) => void, private log: Logger, private retryMs = 1000, private timeoutMs = TIMEOUT_MS) {}

  /** Start delivering in the background. */
  send(url: string, payload: AlertWebhookPayload, ruleKey: string): void {
    if (this.stopped) return;
    if (this.inflight >= MAX_INFLIGHT) {
      this.onOutcome({ ruleKey, ok: false, error: 'too many deliveries in progress; dropped', at: Date.now(), attempt: 0, final: true });
      return;
    }
    this.inflight++;
    void this.deliver(url, JSON.stringify(payload), ruleKey).finally(() => { this.inflight--; });
  }

  private async deliver(url: string, body: string, ruleKey: string): Promise<void> {
    for (let attempt = 1; attempt <= ATTEMPTS && !this.stopped; attempt++) {
      const error = await this.attempt(url, body);
      const final = error === null || attempt === ATTEMPTS;
      this.onOutcome({ ruleKey, ok: error === null, error, at: Date.now(), attempt, final });
      if (error === null) return;
      if (final) { this.log.warn({ url: redact(url), ruleKey, error }, 'alert webhook failed; giving up'); return; }
      await this.sleep(this.retryMs * 2 ** (attempt - 1));
    }
  }

  /** One POST; null on a 2xx answer, else what went wrong. */
  private async attempt(url: string, body: string): Promise<string | null> {
    const ac = new AbortController();
    this.aborts.add(ac);
    const timer = setTimeout(() => ac.abort(), this.timeoutMs);
    try {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'rackpulse-hub' }, body, signal: ac.signal, redirect: 'manual' });
      await res.arrayBuffer().catch(() => undefined);
      return res.status >= 200 && res.status < 300 ? null : `HTTP ${res.status}`;
    } catch (err: any) {
      return ac.signal.aborted ? (this.stopped ? 'hub stopping' : `timed out after ${this.timeoutMs} ms`) : String(err?.cause?.code ?? err?.message ?? err).slice(0, 200);
    } finally {
      clearTimeout(timer);
      this.aborts.delete(ac);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((res) => {
      const t = setTimeout(() => { this.timers.delete(t); res(); }, ms);
      this.timers.add(t);
    });
  }

  /** Stop retrying and abort attempts in progress (hub shutdown). */
  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const ac of this.aborts) ac.abort();
  }
}

/** A URL for logs, without credentials or query. */
function redact(url: string): string {
  try { const u = new URL(url); return `${u.protocol}//${u.host}${u.pathname}`; } catch { return '(bad url)'; }
}
