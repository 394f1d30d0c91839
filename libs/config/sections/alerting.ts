import { z } from 'zod';

/** The `alerting` section of the configuration. Owned by the alerting feature; extend here. */
export const alertingConfigSchema = z.object({}).loose().prefault({});
