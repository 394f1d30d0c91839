/* global process, URL, setTimeout, console */
// A small HTTP service instrumented with the OpenTelemetry JS SDK, for the traces integration test: its
// spans go to Pharos over OTLP/HTTP. Env: SERVICE (service.name), CLUSTER (k8s.cluster.name), NAMESPACE,
// OTLP_URL (…/otlp/v1/traces), OTLP_TOKEN, DOWNSTREAM (base URL it calls, or empty). Routes:
//   GET /call?fail=1&slowMs=N  calls DOWNSTREAM/work with the same query and answers its status (502 if it failed)
//   GET /work?fail=1&slowMs=N  waits slowMs, answers 500 when fail=1, else 200
// Prints "listening <port>" once up; SIGTERM flushes the spans and exits.
import { createRequire } from 'node:module';
import { trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';

const env = process.env;
const exporter = new OTLPTraceExporter({ url: env.OTLP_URL, headers: { authorization: `Bearer ${env.OTLP_TOKEN}` } });
const provider = new NodeTracerProvider({
  resource: resourceFromAttributes({
    'service.name': env.SERVICE,
    'k8s.cluster.name': env.CLUSTER,
    'k8s.namespace.name': env.NAMESPACE,
  }),
  spanProcessors: [new SimpleSpanProcessor(exporter)],
});
provider.register();
// Enabled on construction; it traces through the global tracer provider registered above.
new HttpInstrumentation();
// After the instrumentation is registered, and through require: it patches the CommonJS module.
const http = createRequire(import.meta.url)('node:http');

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  const traceId = trace.getActiveSpan()?.spanContext().traceId ?? '';
  res.setHeader('x-trace-id', traceId);
  if (url.pathname === '/work') {
    setTimeout(
      () => {
        res.statusCode = url.searchParams.get('fail') ? 500 : 200;
        res.end('done');
      },
      Number(url.searchParams.get('slowMs') ?? 0),
    );
    return;
  }
  if (url.pathname === '/call' && env.DOWNSTREAM) {
    http
      .get(`${env.DOWNSTREAM}/work${url.search}`, (down) => {
        down.resume();
        down.on('end', () => {
          res.statusCode = down.statusCode === 200 ? 200 : 502;
          res.end('called');
        });
      })
      .on('error', () => {
        res.statusCode = 502;
        res.end('unreachable');
      });
    return;
  }
  res.statusCode = 404;
  res.end();
});
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
process.on('SIGTERM', async () => {
  server.close();
  await provider.forceFlush();
  await provider.shutdown();
  process.exit(0);
});
