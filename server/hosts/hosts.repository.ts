/** Hosts: registration, token lookup, hello details. */
import type { Hello } from '../../protocol/index.js';
import { HostSchema, type Host } from '../db/entities.js';
import type { Orm } from '../db/orm.js';
import { hashToken, newToken } from '../auth/secrets.js';

export class HostsRepository {
  constructor(private orm: Orm) {}

  private em() { return this.orm.em.fork(); }

  byTokenHash(tokenHash: string): Promise<Host | null> {
    return this.em().findOne(HostSchema, { tokenHash });
  }

  /** The token hash of each of these hosts that still exists (one query). */
  async tokenHashesOf(ids: number[]): Promise<Map<number, string>> {
    const rows = ids.length ? await this.em().find(HostSchema, { id: { $in: ids } }, { fields: ['id', 'tokenHash'] as never }) : [];
    return new Map(rows.map((h) => [h.id, h.tokenHash]));
  }

  byId(id: number): Promise<Host | null> { return this.em().findOne(HostSchema, { id }); }

  async nameTaken(name: string): Promise<boolean> { return (await this.em().count(HostSchema, { name })) > 0; }

  list(): Promise<Host[]> { return this.em().find(HostSchema, {}, { orderBy: { id: 'asc' } }); }

  /** Register a host; returns it with its agent token (shown once; only the hash is stored). */
  async create(name: string, monthlyCostCents: number | null): Promise<{ host: Host; token: string }> {
    const em = this.em();
    const token = newToken('rpa_');
    const host = em.create(HostSchema, {
      name, tokenHash: hashToken(token), tokenRevokedAt: null, monthlyCostCents, createdAt: Date.now(),
      hostname: null, os: null, kernel: null, agentVersion: null, cpus: null, memTotalBytes: null, bootTime: null,
    });
    await em.flush();
    return { host, token };
  }

  async delete(id: number): Promise<boolean> {
    const em = this.em();
    const host = await em.findOne(HostSchema, { id });
    if (!host) return false;
    await em.remove(host).flush();
    return true;
  }

  async recordHello(id: number, h: Hello, agentVersion: string): Promise<void> {
    await this.em().nativeUpdate(HostSchema, { id }, {
      hostname: h.hostname, os: h.os, kernel: h.kernel, cpus: h.cpus, memTotalBytes: h.memTotalBytes, bootTime: h.bootTime, agentVersion,
    });
  }
}
