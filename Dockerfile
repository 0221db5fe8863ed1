# syntax=docker/dockerfile:1
# Node 24, the current LTS. All stages start from the same image.

# Build: compile TypeScript with the dev dependencies; no declarations or source maps for the image.
FROM node:24-bookworm-slim AS build
# A build behind a TLS-intercepting proxy passes its CA bundle here (npm run test:image does); empty otherwise.
ARG NODE_EXTRA_CA_CERTS
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund && test -x node_modules/.bin/tsc
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY models ./models
COPY scripts/compile-models.ts scripts/precompile.ts scripts/bundle.ts ./scripts/
# npm run build, as on a developer's machine: the TypeScript compiled; models/ parsed and validated once into
# dist/models.json (the service reads it when models/ hashes the same); the route validators and serialisers
# compiled into dist/schemas.cjs; the service bundled as one file, dist/server.js (half the start-up time was
# loading modules). The image runs no declarations or source maps.
RUN npm run build && find dist \( -name '*.d.ts' -o -name '*.map' \) -delete

# Production dependencies only, installed apart so that no build tool reaches the image. npm can exit 0
# with a half-done install, so the tree is checked; TypeScript sources, declarations and source maps are not run.
FROM node:24-bookworm-slim AS deps
ARG NODE_EXTRA_CA_CERTS
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
  && npm ls --omit=dev --all > /dev/null \
  && find node_modules -type f \( -name '*.ts' -o -name '*.mts' -o -name '*.cts' -o -name '*.map' \) -delete

FROM node:24-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
WORKDIR /app
# Owned by root and only readable by the runtime user: the process cannot change its own code. It writes
# nothing, so it runs with a read-only root filesystem (a tmpfs on /tmp is all it may ever need).
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY models ./models
USER node
EXPOSE 3000
# Slim images have no curl: Node's own fetch, with a time-out of its own below the check's, so that a
# frozen server fails the check instead of leaving it hanging.
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz',{signal:AbortSignal.timeout(2000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Node itself is PID 1 and handles SIGTERM and SIGINT (src/server.ts); it starts no child processes, so
# there are no zombies to reap and no init process is needed.
CMD ["node", "dist/server.js"]
