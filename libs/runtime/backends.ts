import type { Bus } from '../bus/bus.ts';
import { BUS_REGISTRY } from '../bus/registry.ts';
import type { RecordStore } from '../store/record-store.ts';
import { RECORD_STORE_REGISTRY } from '../store/registry.ts';
import { SPAN_STORE_REGISTRY } from '../store/spans/registry.ts';
import type { SpanStore } from '../store/spans/span-store.ts';
import type { StateStore } from '../store/state-store.ts';
import { STATE_STORE_REGISTRY } from '../store/state/registry.ts';
import type { ServiceContext } from './context.ts';

/**
 * The shared backends, created once per process through registries keyed by `storage.type` / `bus.type`.
 * A feature calls these instead of constructing engines itself.
 */
export function getRecordStore(ctx: ServiceContext): Promise<RecordStore> {
  return ctx.resources.get('record-store', async () => {
    const store = RECORD_STORE_REGISTRY[ctx.config.storage.type](ctx.config.storage, ctx.logger);
    await store.init();
    return { value: store, close: () => store.close() };
  });
}

export function getStateStore(ctx: ServiceContext): Promise<StateStore> {
  return ctx.resources.get('state-store', async () => {
    const store = STATE_STORE_REGISTRY[ctx.config.storage.type](ctx.config.storage);
    await store.init();
    return { value: store, close: () => store.close() };
  });
}

export function getBus(ctx: ServiceContext): Promise<Bus> {
  return ctx.resources.get('bus', async () => {
    const bus = BUS_REGISTRY[ctx.config.bus.type](ctx.config.bus, { logger: ctx.logger, dataDir: ctx.config.dataDir });
    return { value: bus, close: () => bus.close() };
  });
}

/** The process's span store, created once (as getRecordStore), beside the record stores' connection settings. */
export function getSpanStore(ctx: ServiceContext): Promise<SpanStore> {
  return ctx.resources.get('span-store', async () => {
    const store = SPAN_STORE_REGISTRY[ctx.config.storage.type](ctx.config.storage);
    await store.init();
    return { value: store, close: () => store.close() };
  });
}
