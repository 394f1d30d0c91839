import { z } from 'zod';

/** The `dashboards` section of the configuration. Owned by the dashboards feature; extend here. */
export const dashboardsConfigSchema = z.object({}).loose().prefault({});
