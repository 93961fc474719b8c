/**
 * The provider's storage (sessions, interactions, codes, grants): in this process's memory, gone
 * at restart, as a local stand-in should be. oidc-provider's Adapter interface
 * (oidc-provider docs, "adapter"); entries expire on their own `expiresIn`.
 */
import type { Adapter, AdapterPayload } from 'oidc-provider';

type Entry = { payload: AdapterPayload; until: number };

/** A fresh storage for one provider (one per local stack). */
export function memoryAdapter(): new (name: string) => Adapter {
  const stores = new Map<string, Map<string, Entry>>();
  const grants = new Map<string, Set<string>>();
  return class MemoryAdapter implements Adapter {
    private readonly store: Map<string, Entry>;

    constructor(private readonly name: string) {
      this.store = stores.get(name) ?? new Map();
      stores.set(name, this.store);
    }

    private key(id: string): string {
      return `${this.name}:${id}`;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      this.store.set(id, { payload, until: expiresIn ? Date.now() + expiresIn * 1000 : Number.POSITIVE_INFINITY });
      if (payload.grantId) {
        const set = grants.get(payload.grantId) ?? new Set<string>();
        set.add(this.key(id));
        grants.set(payload.grantId, set);
      }
      if (this.store.size > 10_000) this.sweep();
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      const entry = this.store.get(id);
      if (!entry) return undefined;
      if (entry.until <= Date.now()) {
        this.store.delete(id);
        return undefined;
      }
      return entry.payload;
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      for (const [id, entry] of this.store) if (entry.payload.uid === uid) return this.find(id);
      return undefined;
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      for (const [id, entry] of this.store) if (entry.payload.userCode === userCode) return this.find(id);
      return undefined;
    }

    async consume(id: string): Promise<void> {
      const entry = this.store.get(id);
      if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
    }

    async destroy(id: string): Promise<void> {
      this.store.delete(id);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      for (const key of grants.get(grantId) ?? []) {
        const at = key.indexOf(':');
        stores.get(key.slice(0, at))?.delete(key.slice(at + 1));
      }
      grants.delete(grantId);
    }

    private sweep(): void {
      const now = Date.now();
      for (const [id, entry] of this.store) if (entry.until <= now) this.store.delete(id);
    }
  };
}
