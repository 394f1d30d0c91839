import { z } from 'zod';

/** The `dashboards` section of the configuration. */
export const dashboardsConfigSchema = z
  .object({
    /** Folder of built-in dashboards (YAML/JSON), read once at boot; relative paths from the working directory. */
    dir: z.string().min(1).default('dashboards'),
    /** PromQL / records queries running at once in one render, across all panels. */
    renderConcurrency: z.number().int().min(1).max(256).default(16),
    /** A render stops after this; panels still running report PHAROS_ERR_TIMEOUT. */
    renderTimeoutMs: z.number().int().positive().default(30_000),
    /** Default points per series of a range query (the step is range / maxDataPoints, at least 15 s). */
    maxDataPoints: z.number().int().min(10).max(11_000).default(300),
  })
  .strict()
  .prefault({});
