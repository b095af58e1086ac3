# dmpsync as an Airbyte-compatible container (docs/recipes/airbyte.md).
#   docker build -t dmpsync/destination-linkedin-dmp:0.1.0 .
# Stage 1 compiles TypeScript and the native SQLite binding; stage 2 carries only what runs.

ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS build
# better-sqlite3 falls back to compiling from source when no prebuilt binary matches.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY lib ./lib
COPY core ./core
COPY connectors ./connectors
COPY transforms ./transforms
RUN npm run build \
  && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
ARG VERSION=0.1.0
LABEL io.airbyte.name="dmpsync/destination-linkedin-dmp" \
      io.airbyte.version="${VERSION}" \
      org.opencontainers.image.source="https://github.com/dmpsync/dmpsync"
ENV NODE_ENV=production \
    DMPSYNC_STATE_DIR=/var/lib/dmpsync \
    DMPSYNC_AIRBYTE_ROLE=destination \
    AIRBYTE_ENTRYPOINT="/opt/dmpsync/docker/entrypoint.mjs"
# Non-root user `airbyte`; /airbyte (where Airbyte mounts config and catalog) and the state
# directory (pipeline `state.path: ${DMPSYNC_STATE_DIR}/state.db`) are the only writable places.
RUN groupadd --system --gid 1001 airbyte \
  && useradd --system --uid 1001 --gid airbyte --home-dir /airbyte --shell /usr/sbin/nologin airbyte \
  && mkdir -p /airbyte /var/lib/dmpsync \
  && chown airbyte:airbyte /airbyte /var/lib/dmpsync
WORKDIR /opt/dmpsync
COPY --from=build /build/package.json ./package.json
COPY --from=build /build/node_modules ./node_modules
COPY --from=build /build/dist ./dist
COPY docker/entrypoint.mjs ./docker/entrypoint.mjs
RUN chmod 0755 ./docker/entrypoint.mjs
VOLUME ["/var/lib/dmpsync"]
WORKDIR /airbyte
USER airbyte
# The CLI stops gracefully on SIGTERM (in-flight batches finish, the checkpoint is kept).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/opt/dmpsync/docker/entrypoint.mjs"]
CMD ["--help"]
