# syntax=docker/dockerfile:1
# Pharos image: one image for every service; the first argument picks it (collector, indexer, query,
# alerting, or all — the default). Build: docker build -t ghcr.io/pharos-observability/pharos:0.1.0 .
# Node 24 is the LTS line the image runs and CI tests beside the machine's Node (.ci/run, scripts/ci/node-lts.sh).
ARG NODE_IMAGE=node:24.22-bookworm-slim

# Production dependencies only. better-sqlite3 is a native module and compiles here when no prebuilt binary
# fits, hence python3, make and g++ (kept out of the runtime image).
FROM ${NODE_IMAGE} AS deps
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

# The compiled build (npm run build → dist/): TypeScript and tsx are dev dependencies and stay in this stage.
# No install scripts: compiling needs no native module.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY libs ./libs
COPY services ./services
COPY scripts ./scripts
COPY alert-rules ./alert-rules
COPY dashboards ./dashboards
COPY config/metric-templates.yaml ./config/metric-templates.yaml
RUN npm run build

# Runtime: compiled JavaScript on plain node, production dependencies, no compilers, no TypeScript, no tsx.
FROM ${NODE_IMAGE} AS runtime
# A 32 MiB young generation, as `npm start` and the Kubernetes manifests set: the ingest path parses every
# record into short-lived objects, and the default cost the collector and indexer a fifth more CPU.
ENV NODE_ENV=production \
    PHAROS_CONFIG=/etc/pharos/pharos.yaml \
    NODE_OPTIONS=--max-semi-space-size=32
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
# dist/ holds the sources' layout (services/main.js, libs/…, scripts/deploy/healthcheck.js) and the files
# the config's defaults name relative to the installation: alert-rules/, dashboards/ (alerting.ruleFiles,
# dashboards.dir) and config/metric-templates.yaml (federation.metricTemplatesFile).
COPY --from=build /app/dist ./
COPY deploy/docker/provision-files.sh ./deploy/docker/provision-files.sh
COPY deploy/docker/pharos.yaml /etc/pharos/pharos.yaml
# The node image's unprivileged user (uid 1000), given by number so Kubernetes' runAsNonRoot can verify it.
# provisioned/ receives the site's rules and dashboards on Kubernetes (an emptyDir filled by an init container).
RUN mkdir -p /var/lib/pharos /app/provisioned/rules /app/provisioned/dashboards \
 && chown -R 1000:1000 /var/lib/pharos /app/provisioned
USER 1000:1000
EXPOSE 8080
VOLUME ["/var/lib/pharos"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "scripts/deploy/healthcheck.js"]
# --enable-source-maps here rather than in NODE_OPTIONS, which the Kubernetes manifests replace: stack traces
# name the TypeScript file and line.
ENTRYPOINT ["node", "--enable-source-maps", "services/main.js"]
CMD ["all"]
