import { z } from 'zod';
import { DASHBOARD_ID, dashboardSchema } from '../../../libs/dashboards/dashboard.schema.ts';
import { IMPORT_FORMATS, importNoteSchema } from '../../../libs/dashboards/import/import.types.ts';
import { panelResultSchema } from './render.types.ts';

/** Route contracts of /v1/dashboards; the OpenAPI document is generated from these. */
export const idParams = z.object({ id: z.string().regex(DASHBOARD_ID, 'not a dashboard id') });
export const versionParams = idParams.extend({ version: z.coerce.number().int().min(1) });

const docFields = {
  id: z.string(),
  builtin: z.boolean(),
  version: z.number().int(),
  updatedAt: z.number().nullable(),
  author: z.string().optional(),
};
export const dashboardDocSchema = z.object({ ...docFields, dashboard: dashboardSchema });
export const summarySchema = z.object({
  ...docFields,
  title: z.string(),
  description: z.string().optional(),
  tags: z.array(z.string()),
});
export const listSchema = z.object({ dashboards: z.array(summarySchema) });

export const versionSchema = z.object({
  dashboardId: z.string(),
  version: z.number().int(),
  updatedAt: z.number(),
  author: z.string(),
  definition: dashboardSchema,
});
export const versionsSchema = z.object({ versions: z.array(versionSchema.omit({ definition: true })) });

/** `If-Match: <version>` (quotes allowed, as for an ETag) makes an update fail if someone saved in between. */
export const ifMatchHeaders = z.object({
  'if-match': z
    .string()
    .regex(/^"?\d+"?$/, 'a dashboard version number')
    .optional(),
});

/**
 * `from`/`to` as Grafana takes them, and `var-<name>` per variable (repeat for several values). Other
 * names are refused, so a typo does not silently render something else.
 */
export const viewQuerySchema = z
  .object({
    from: z.string().min(1).optional(),
    to: z.string().min(1).optional(),
    maxDataPoints: z.coerce.number().int().min(10).max(11_000).optional(),
  })
  .catchall(z.union([z.string(), z.array(z.string())]))
  .superRefine((q, ctx) => {
    for (const key of Object.keys(q)) {
      if (!['from', 'to', 'maxDataPoints'].includes(key) && !key.startsWith('var-')) {
        ctx.addIssue({ code: 'custom', path: [key], message: 'unknown parameter; variables are passed as var-<name>' });
      }
    }
  });

export const variableStateSchema = z.object({
  name: z.string(),
  label: z.string().optional(),
  type: z.enum(['query', 'custom', 'interval']),
  multi: z.boolean(),
  includeAll: z.boolean(),
  hide: z.boolean(),
  options: z.array(z.string()),
  current: z.array(z.string()),
  error: z.string().optional(),
});

export const renderSchema = z.object({
  from: z.number(),
  to: z.number(),
  variables: z.array(variableStateSchema),
  panels: z.array(panelResultSchema),
});

export const importQuerySchema = z.object({
  dryRun: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  overwrite: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
});
/** Grafana JSON or a KubeSphere resource as JSON, or either as YAML/JSON text. */
export const importBodySchema = z.union([z.record(z.string(), z.unknown()), z.string()]);
export const importResultSchema = z.object({
  format: z.enum(IMPORT_FORMATS),
  id: z.string().optional(),
  version: z.number().int().optional(),
  dashboard: dashboardSchema,
  unconverted: z.array(importNoteSchema),
});
