import type { Feature } from '../../libs/http/feature.ts';
import type { ServiceContext } from '../../libs/runtime/context.ts';

/** The alerting service: the features it contributes to a process. */
export async function alertingFeatures(_ctx: ServiceContext): Promise<Feature[]> {
  return [];
}
