import { describe, expect, it } from 'vitest';
import { FULL_SCOPE } from '../auth/principal.ts';
import { ForbiddenError } from '../errors/errors.ts';
import { ingestClusters } from './ingest-scope.ts';

const scoped = (...clusters: string[]) => ({ clusters, namespaces: ['*'] });

describe('ingest clusters', () => {
  it("takes the record's own cluster first, then ?cluster=, then the token's only cluster, then collector.cluster", () => {
    expect(ingestClusters(FULL_SCOPE, { configured: 'local' }).resolve(undefined)).toEqual({ cluster: 'local' });
    expect(ingestClusters(FULL_SCOPE, { configured: 'local', requested: 'east' }).resolve('')).toEqual({
      cluster: 'east',
    });
    expect(ingestClusters(FULL_SCOPE, { configured: 'local', requested: 'east' }).resolve('west')).toEqual({
      cluster: 'west',
    });
    expect(ingestClusters(scoped('edge'), { configured: 'local' }).fallback).toBe('edge');
  });

  it('refuses the whole request when any cluster is outside the scope, and reports invalid names per record', () => {
    expect(() => ingestClusters(scoped('edge'), { configured: 'local', requested: 'core' })).toThrow(ForbiddenError);
    expect(() => ingestClusters(scoped('edge', 'east'), { configured: 'local' })).toThrow(
      /may not ingest for cluster "local"/,
    );
    const clusters = ingestClusters(scoped('edge'), { configured: 'local' });
    expect(() => clusters.resolve('core')).toThrow(ForbiddenError);
    expect(clusters.resolve('edge')).toEqual({ cluster: 'edge' });
    expect(ingestClusters(FULL_SCOPE, { configured: 'local' }).resolve('bad name')).toEqual({
      reason: expect.stringContaining('not a valid cluster name'),
    });
  });
});
