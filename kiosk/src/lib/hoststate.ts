/**
 * State colour rules for a host tile and its load fill. Pure.
 * offline (no agent or no recent sample) wins over everything; then alert (a firing
 * critical alert on the host), then warning (a pending alert, or a firing warning-severity
 * one); else ok.
 */
import type { AlertDto } from '../../../protocol/alerts.schema.js';
import type { HostSummary } from '../../../protocol/live.schema.js';

export type HostState = 'ok' | 'warning' | 'alert' | 'offline';

/** High-contrast colours on the wall's dark background: tile fill, load fill, text. */
export const STATE_COLORS: Record<HostState, { tile: string; fill: string; text: string }> = {
  ok: { tile: '#12351f', fill: '#2fbf5b', text: '#ffffff' },
  warning: { tile: '#4a3a06', fill: '#f2c200', text: '#ffffff' },
  alert: { tile: '#5a0f12', fill: '#ff3b3b', text: '#ffffff' },
  offline: { tile: '#2a2d33', fill: '#5b616b', text: '#c9ced6' },
};

export const SEVERITY_COLORS: Record<AlertDto['severity'], string> = { critical: '#ff3b3b', warning: '#f2c200' };

/** Each host's worst alert state among the active alerts ('alert' or 'warning'). */
export function alertLevels(alerts: Iterable<AlertDto>): Map<number, 'alert' | 'warning'> {
  const out = new Map<number, 'alert' | 'warning'>();
  for (const a of alerts) {
    if (a.state === 'resolved') continue;
    const level = a.state === 'firing' && a.severity === 'critical' ? 'alert' : 'warning';
    if (level === 'alert' || !out.has(a.hostId)) out.set(a.hostId, level);
  }
  return out;
}

export function hostState(host: Pick<HostSummary, 'id' | 'online'>, levels: Map<number, 'alert' | 'warning'>): HostState {
  if (!host.online) return 'offline';
  return levels.get(host.id) ?? 'ok';
}

/** Load per CPU (load1 / cpus; 1 CPU when unknown), or null without a sample. */
export function loadPerCpu(host: Pick<HostSummary, 'cpus' | 'latest'>): number | null {
  if (!host.latest) return null;
  return host.latest.load1 / Math.max(1, host.cpus ?? 1);
}

/** How full a tile is drawn from the bottom: load per CPU, capped to 0…1 (0 when offline or unknown). */
export function loadFill(host: Pick<HostSummary, 'cpus' | 'latest' | 'online'>): number {
  const l = host.online ? loadPerCpu(host) : null;
  if (l === null || !Number.isFinite(l)) return 0;
  return Math.min(1, Math.max(0, l));
}
