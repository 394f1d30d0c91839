# syntax=docker/dockerfile:1
# Pharos image: one image for every service; the first argument picks it (collector, indexer, query,
# alerting, or all — the default). Build: docker build -t ghcr.io/pharos-observability/pharos:0.1.0 .
ARG NODE_IMAGE=node:20.20-bookworm-slim

# Build stage: production dependencies only. better-sqlite3 is a native module and compiles here when no
# prebuilt binary fits, hence python3, make and g++ (kept out of the runtime image).
FROM ${NODE_IMAGE} AS deps
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

# Runtime stage: no compilers, no dev dependencies. tsx is a production dependency: Pharos runs its
# TypeScript directly, as `npm start` does, with no build step.
FROM ${NODE_IMAGE} AS runtime
# A 32 MiB young generation, as `npm start` and the Kubernetes manifests set: the ingest path parses every
# record into short-lived objects, and the default cost the collector and indexer a fifth more CPU.
ENV NODE_ENV=production \
    PHAROS_CONFIG=/etc/pharos/pharos.yaml \
    NODE_OPTIONS=--max-semi-space-size=32
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY libs ./libs
COPY services ./services
# Files the config's defaults name relative to the working directory: built-in alert rules
# (alerting.ruleFiles), dashboards (dashboards.dir) and the metric templates (federation.metricTemplatesFile).
COPY alert-rules ./alert-rules
COPY dashboards ./dashboards
COPY config/metric-templates.yaml ./config/metric-templates.yaml
COPY scripts/deploy/healthcheck.ts ./scripts/deploy/healthcheck.ts
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
  CMD ["node", "--import", "tsx", "scripts/deploy/healthcheck.ts"]
ENTRYPOINT ["node", "--import", "tsx", "services/main.ts"]
CMD ["all"]
