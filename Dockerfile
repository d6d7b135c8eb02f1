# Pipelit container image (multi-stage). Build: docker build -t pipelit .
# Run with docker-compose.yml (server + worker + PostgreSQL + Redis); see docs/deployment.md.

# --- build: compile the server (tsc) and the web app (vite), then drop dev dependencies ---------
FROM node:20-bookworm-slim AS build
# better-sqlite3 compiles its native module from source.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
# Dependencies first (cached layer); --ignore-scripts skips `prepare` (the sources are not here yet).
RUN npm ci --no-audit --no-fund --ignore-scripts && npm rebuild better-sqlite3
COPY . .
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# --- runtime: production dependencies, compiled code, built SPA; non-root --------------------------
FROM node:20-bookworm-slim AS runtime
# bubblewrap: the sandbox for code nodes. ca-certificates: HTTPS to LLM providers.
RUN apt-get update \
 && apt-get install -y --no-install-recommends bubblewrap ca-certificates tini \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 pipelit \
 && useradd --system --uid 10001 --gid pipelit --home-dir /opt/pipelit --shell /usr/sbin/nologin pipelit
WORKDIR /opt/pipelit
ENV NODE_ENV=production \
    PIPELIT_DIR=/opt/pipelit/data \
    FRONTEND_DIST_PATH=/opt/pipelit/web/dist
COPY --from=build /src/package.json /src/package-lock.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/bin ./bin
COPY --from=build /src/dist ./dist
COPY --from=build /src/web/dist ./web/dist
COPY --from=build /src/.env.example /src/README.md ./
COPY --from=build /src/docs ./docs
RUN mkdir -p /opt/pipelit/data && chown pipelit:pipelit /opt/pipelit/data
USER pipelit
VOLUME ["/opt/pipelit/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8000/health').then(r=>r.json()).then(b=>process.exit(b.status==='ok'?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/opt/pipelit/bin/pipelit.js"]
# Inside a container the server must listen on all interfaces; the proxy/published port decides reach.
CMD ["serve", "--workers", "2", "--bind", "0.0.0.0:8000", "--timeout", "120", "--graceful-timeout", "30", "--access-logfile", "-", "--error-logfile", "-"]
