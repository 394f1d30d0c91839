import type { Feature } from '../../libs/http/feature.ts';
import type { ServiceContext } from '../../libs/runtime/context.ts';

/** The indexer service: the features it contributes to a process. */
export async function indexerFeatures(_ctx: ServiceContext): Promise<Feature[]> {
  return [];
}
