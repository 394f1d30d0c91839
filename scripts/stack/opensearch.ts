// OpenSearch: one node run by opensearch/src/PharosOpenSearch.java on the jars that opensearch/pom.xml resolves.
// Kept in its own JVM and Maven project: its Jackson, Netty and log4j versions clash with Kafka's.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Engine, Service } from './engine.ts';
import { compileJava, javaTool, leaveRunningJvm, resolveClasspath } from './jvm.ts';
import { HOST, STACK_SOURCES, stackPath } from './paths.ts';
import { httpOk } from './process.ts';

export const OPENSEARCH_PORT = 9200;
export const OPENSEARCH_TRANSPORT_PORT = 9300;

const sources = path.join(STACK_SOURCES, 'opensearch');
const dir = stackPath('opensearch');
const libDir = path.join(dir, 'lib');
const classesDir = path.join(dir, 'classes');
const homeDir = path.join(dir, 'home');

const nodeSettings: Record<string, string> = {
  'path.home': homeDir,
  'path.data': path.join(dir, 'data'),
  'path.logs': path.join(dir, 'logs'),
  'cluster.name': 'pharos-local',
  'node.name': 'pharos-local-1',
  'discovery.type': 'single-node',
  'network.host': HOST,
  'http.port': String(OPENSEARCH_PORT),
  'transport.port': String(OPENSEARCH_TRANSPORT_PORT),
  // Dev machines and CI often run with nearly full disks; the watermarks would then refuse to allocate shards.
  'cluster.routing.allocation.disk.threshold_enabled': 'false',
  // One node can hold no replica: without this every new index stays yellow.
  'cluster.default_number_of_replicas': '0',
};

// The system properties the distribution's jvm.options sets that matter without its bootstrap: Netty without
// Unsafe tricks and recyclers (as OpenSearch is tested), log4j shut down by the launcher, not by its own hook, and the
// locale providers that keep date formats as OpenSearch expects on Java 9+.
const jvmOptions = [
  '-Xms1g',
  '-Xmx1g',
  '-XX:+UseG1GC',
  '-Djava.awt.headless=true',
  '-Dfile.encoding=UTF-8',
  '-Djna.nosys=true',
  '-Dio.netty.noUnsafe=true',
  '-Dio.netty.noKeySetOptimization=true',
  '-Dio.netty.recycler.maxCapacityPerThread=0',
  '-Dlog4j.shutdownHookEnabled=false',
  '-Dlog4j2.disable.jmx=true',
  '-Djava.locale.providers=SPI,COMPAT',
  `-Dlog4j2.configurationFile=${path.join(sources, 'log4j2.properties')}`,
];

const node: Service = {
  id: 'opensearch',
  dir,
  logFile: path.join(dir, 'opensearch.log'),
  ports: [OPENSEARCH_PORT, OPENSEARCH_TRANSPORT_PORT],
  readyTimeoutMs: 180_000,
  stopGraceMs: 30_000,
  command: () => ({
    command: javaTool('java'),
    args: [
      ...jvmOptions,
      '-cp',
      `${classesDir}:${libDir}/*`,
      'PharosOpenSearch',
      ...Object.entries(nodeSettings).map(([key, value]) => `${key}=${value}`),
    ],
  }),
  ready: (signal) =>
    httpOk(`http://${HOST}:${OPENSEARCH_PORT}/_cluster/health?wait_for_status=yellow&timeout=60s`, signal),
};

export const opensearch: Engine = {
  name: 'opensearch',
  services: [node],
  async prepare(log) {
    const pom = path.join(sources, 'pom.xml');
    if (await leaveRunningJvm({ engine: 'opensearch', dir, pom, libDir }, log)) return;
    await resolveClasspath(pom, libDir, log);
    await compileJava(
      { source: path.join(sources, 'src', 'PharosOpenSearch.java'), classesDir, classpath: `${libDir}/*` },
      log,
    );
    // The node looks for config/, modules/ and plugins/ under path.home; empty ones are enough.
    for (const sub of ['config', 'modules', 'plugins']) await fs.mkdir(path.join(homeDir, sub), { recursive: true });
    await fs.writeFile(path.join(homeDir, 'config', 'opensearch.yml'), '# settings come from the launcher\n');
  },
};
