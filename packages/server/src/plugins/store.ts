/**
 * The stores as typed decorators, shared with every route group (fastify-plugin, so they are
 * not encapsulated). Routes read `app.trackingStore` / `app.registryStore` and hold no SQL.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { LablogError, type RegistryStore, type TrackingStore } from '@lablog/tracking';

declare module 'fastify' {
  interface FastifyInstance {
    /** Where experiments, runs and metrics live (SqliteStore, FileStore, …). */
    trackingStore: TrackingStore;
    /**
     * The model registry. Throws NOT_IMPLEMENTED (501) when the backend has none, so every
     * registry route answers the same way without checking.
     */
    registryStore: RegistryStore;
  }
}

/** Options of {@link storePlugin}. */
export interface StorePluginOptions {
  trackingStore: TrackingStore;
  /** Usually the tracking store itself; null or absent when the backend has no registry. */
  registryStore?: RegistryStore | null;
  /** Close the stores when the app closes; default false (the caller owns them). */
  closeOnShutdown?: boolean;
}

async function store(app: FastifyInstance, options: StorePluginOptions): Promise<void> {
  app.decorate('trackingStore', options.trackingStore);
  const registry = options.registryStore ?? null;
  app.decorate('registryStore', {
    getter(): RegistryStore {
      if (!registry) throw new LablogError('This server has no model registry for its backend store.', 'NOT_IMPLEMENTED');
      return registry;
    },
  });
  if (options.closeOnShutdown) {
    app.addHook('onClose', async () => {
      await options.trackingStore.close();
      if (registry && (registry as unknown) !== (options.trackingStore as unknown)) await registry.close();
    });
  }
}

/** Decorates the app with `trackingStore` and `registryStore`. */
export const storePlugin = fp(store, { name: 'lablog-store', fastify: '5.x' });
