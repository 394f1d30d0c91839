import type { Feature } from '../../libs/http/feature.ts';
import type { ServiceContext } from '../../libs/runtime/context.ts';

/** The collector service: the features it contributes to a process. */
export async function collectorFeatures(_ctx: ServiceContext): Promise<Feature[]> {
  return [];
}
