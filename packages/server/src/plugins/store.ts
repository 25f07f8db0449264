/**
 * The tracking store as a typed decorator, shared with every route group (fastify-plugin, so
 * it is not encapsulated). Routes read `app.trackingStore` and hold no SQL.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { TrackingStore } from '@lablog/tracking';

declare module 'fastify' {
  interface FastifyInstance {
    /** Where experiments, runs and metrics live (SqliteStore, FileStore, …). */
    trackingStore: TrackingStore;
  }
}

/** Options of {@link storePlugin}. */
export interface StorePluginOptions {
  trackingStore: TrackingStore;
  /** Close the store when the app closes; default false (the caller owns the store). */
  closeOnShutdown?: boolean;
}

async function store(app: FastifyInstance, options: StorePluginOptions): Promise<void> {
  app.decorate('trackingStore', options.trackingStore);
  if (options.closeOnShutdown) {
    app.addHook('onClose', async () => {
      await options.trackingStore.close();
    });
  }
}

/** Decorates the app with `trackingStore`. */
export const storePlugin = fp(store, { name: 'lablog-store', fastify: '5.x' });
