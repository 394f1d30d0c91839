import { z } from 'zod';

/** The `federation` section of the configuration. Owned by the federation feature; extend here. */
export const federationConfigSchema = z.object({}).loose().prefault({});
