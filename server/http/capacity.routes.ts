/**
 * Capacity (admin): per host and disk, size, used, allocated to plans, free,
 * and how many more accounts of each public plan still fit. An account without
 * a mount is counted on its host's largest disk.
 */
import Router from '@koa/router';
import type { CapacityDisk } from '../../protocol/index.js';
import { AccountSchema, PlanSchema } from '../db/entities.js';
import { requireAdmin, type HubDeps } from './context.js';

export function capacityRoutes(d: HubDeps): Router {
  const r = new Router({ prefix: '/api' });
  r.get('/capacity', async (ctx) => {
    requireAdmin(ctx);
    const em = d.orm.em.fork();
    const [accounts, plans] = await Promise.all([em.find(AccountSchema, {}), em.find(PlanSchema, {})]);
    const quotaOf = new Map(plans.map((p) => [p.id, p.quotaBytes]));
    const out: CapacityDisk[] = [];
    for (const rt of d.fleet.hosts.values()) {
      if (!rt.disks.length) continue;
      const largest = rt.disks.reduce((a, b) => (b.sizeBytes > a.sizeBytes ? b : a));
      for (const disk of rt.disks) {
        const allocated = accounts
          .filter((a) => a.hostId === rt.id && (a.mount ?? largest.mount) === disk.mount)
          .reduce((s, a) => s + (a.planId !== null ? quotaOf.get(a.planId) ?? 0 : 0), 0);
        const unallocated = Math.max(0, disk.sizeBytes - allocated);
        const room = Math.min(unallocated, disk.availBytes);
        out.push({
          hostId: rt.id, hostName: rt.name, mount: disk.mount, sizeBytes: disk.sizeBytes, usedBytes: disk.usedBytes,
          allocatedBytes: allocated, freeBytes: disk.availBytes, unallocatedBytes: unallocated,
          fits: plans.filter((p) => p.public).map((p) => ({ planId: p.id, planName: p.name, count: Math.floor(room / p.quotaBytes) })),
        });
      }
    }
    ctx.body = { disks: out };
  });
  return r;
}
