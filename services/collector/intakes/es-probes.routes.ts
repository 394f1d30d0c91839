import type { FastifyPluginAsync } from 'fastify';

/**
 * The calls Elasticsearch clients make before or beside `_bulk`, answered so they go on to send data:
 * `GET /` for the version (Vector's `api_version: auto`, Logstash, Filebeat, the official clients'
 * product check), `_license` and `_xpack` (Filebeat, Logstash), and index templates, ILM policies, ingest
 * pipelines and data streams that Filebeat and Logstash look up or install at start. Nothing is stored:
 * Pharos's own mapping decides how records are indexed.
 */
export function esProbeRoutes(opts: { version: string }): FastifyPluginAsync {
  return async (app) => {
    const config = { access: { role: 'ingest' as const } };
    const info = {
      name: 'pharos',
      cluster_name: 'pharos',
      cluster_uuid: 'pharos-elasticsearch-compatible-intake',
      version: {
        number: opts.version,
        build_flavor: 'default',
        build_type: 'pharos',
        build_hash: 'pharos',
        build_date: '2026-01-01T00:00:00.000Z',
        build_snapshot: false,
        lucene_version: '9.12.0',
        minimum_wire_compatibility_version: '7.17.0',
        minimum_index_compatibility_version: '7.0.0',
      },
      tagline: 'You Know, for Search',
    };
    const license = {
      license: {
        status: 'active',
        uid: 'pharos',
        type: 'basic',
        issue_date: '2026-01-01T00:00:00.000Z',
        issue_date_in_millis: 1767225600000,
        max_nodes: 1000,
        max_resource_units: null,
        issued_to: 'pharos',
        issuer: 'elasticsearch',
        start_date_in_millis: -1,
      },
    };
    const xpack = {
      build: { hash: 'pharos', date: info.version.build_date },
      license: { uid: 'pharos', type: 'basic', mode: 'basic', status: 'active' },
      features: {},
    };
    const tags = ['ingest'];
    for (const url of ['/elasticsearch', '/elasticsearch/']) {
      // HEAD comes with every GET (Fastify's exposeHeadRoutes): 200 without a body, as Elasticsearch answers.
      app.get(
        url,
        { config, schema: { tags, summary: 'Elasticsearch root: the version clients probe' } },
        async () => info,
      );
    }
    app.get('/elasticsearch/_license', { config, schema: { tags, hide: true } }, async () => license);
    app.get('/elasticsearch/_xpack', { config, schema: { tags, hide: true } }, async () => xpack);
    app.get('/elasticsearch/_cluster/health', { config, schema: { tags, hide: true } }, async () => ({
      cluster_name: 'pharos',
      status: 'green',
      timed_out: false,
      number_of_nodes: 1,
    }));
    // Setup objects: HEAD/GET say they exist (so clients do not try to install them), PUT acknowledges.
    for (const kind of [
      '_index_template',
      '_template',
      '_component_template',
      '_ilm/policy',
      '_ingest/pipeline',
      '_data_stream',
    ]) {
      const url = `/elasticsearch/${kind}/:name`;
      app.get(url, { config, schema: { tags, hide: true } }, async () => ({}));
      app.put(url, { config, schema: { tags, hide: true } }, async () => ({ acknowledged: true }));
    }
  };
}
