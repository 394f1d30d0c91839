// Kafka: one KRaft node acting as broker and controller, from the jars that kafka/pom.xml resolves.
// Storage is formatted once by its own process, since kafka.tools.StorageTool ends with System.exit.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { Engine, Log, Service } from './engine.ts';
import { javaTool, leaveRunningJvm, resolveClasspath } from './jvm.ts';
import { HOST, STACK_SOURCES, stackPath } from './paths.ts';
import { canConnect, run } from './process.ts';

export const KAFKA_PORT = 9092;
export const KAFKA_CONTROLLER_PORT = 9093;

const dir = stackPath('kafka');
const libDir = path.join(dir, 'lib');
const dataDir = path.join(dir, 'data');
const serverProperties = path.join(dir, 'config', 'server.properties');
const log4jConfig = path.join(STACK_SOURCES, 'kafka', 'log4j2.properties');
const classpath = `${libDir}/*`;

// Single-node combined mode with static voters (so the storage is formatted without --standalone). Internal
// topics get replication factor 1 because there is one broker; the initial rebalance delay is 0 so tests' consumer
// groups join at once; fewer offsets partitions make the first group commit quicker.
function brokerConfig(): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@${HOST}:${KAFKA_CONTROLLER_PORT}`,
    `listeners=PLAINTEXT://${HOST}:${KAFKA_PORT},CONTROLLER://${HOST}:${KAFKA_CONTROLLER_PORT}`,
    `advertised.listeners=PLAINTEXT://${HOST}:${KAFKA_PORT}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${dataDir}`,
    'num.partitions=3',
    'auto.create.topics.enable=true',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=10',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    '',
  ].join('\n');
}

async function formatStorageOnce(log: Log): Promise<void> {
  const formatted = await fs.stat(path.join(dataDir, 'meta.properties')).then(
    () => true,
    () => false,
  );
  if (formatted) return;
  // A cluster id is 16 random bytes in URL-safe base64 without padding: 22 characters.
  const clusterId = randomBytes(16).toString('base64url');
  log(`kafka: formatting storage (cluster id ${clusterId})`);
  await run(javaTool('java'), [
    `-Dlog4j2.configurationFile=${log4jConfig}`,
    '-cp',
    classpath,
    'kafka.tools.StorageTool',
    'format',
    '-t',
    clusterId,
    '-c',
    serverProperties,
  ]);
}

async function kafkaAnswers(signal: AbortSignal): Promise<boolean> {
  if (!(await canConnect(KAFKA_PORT, signal))) return false;
  const admin = new Kafka({
    clientId: 'pharos-stack-probe',
    brokers: [`${HOST}:${KAFKA_PORT}`],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2000,
    requestTimeout: 5000,
    retry: { retries: 0 },
  }).admin();
  const aborted = new Promise<never>((_, reject) => {
    signal.addEventListener('abort', () => reject(new Error('kafka probe timed out')), { once: true });
  });
  try {
    await Promise.race([admin.connect().then(() => admin.listTopics()), aborted]);
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

const broker: Service = {
  id: 'kafka',
  dir,
  logFile: path.join(dir, 'kafka.log'),
  ports: [KAFKA_PORT, KAFKA_CONTROLLER_PORT],
  readyTimeoutMs: 120_000,
  stopGraceMs: 30_000,
  command: () => ({
    command: javaTool('java'),
    args: [
      '-Xms512m',
      '-Xmx1g',
      '-XX:+UseG1GC',
      '-Djava.awt.headless=true',
      `-Dlog4j2.configurationFile=${log4jConfig}`,
      `-Dkafka.logs.dir=${path.join(dir, 'logs')}`,
      '-cp',
      classpath,
      'kafka.Kafka',
      serverProperties,
    ],
  }),
  ready: kafkaAnswers,
};

export const kafka: Engine = {
  name: 'kafka',
  services: [broker],
  async prepare(log) {
    const pom = path.join(STACK_SOURCES, 'kafka', 'pom.xml');
    if (await leaveRunningJvm({ engine: 'kafka', dir, pom, libDir }, log)) return;
    await resolveClasspath(pom, libDir, log);
    await fs.mkdir(path.dirname(serverProperties), { recursive: true });
    await fs.writeFile(serverProperties, brokerConfig());
    await formatStorageOnce(log);
  },
};
