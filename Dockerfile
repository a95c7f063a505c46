# The elder-care telemetry hub: Node 24 runs the TypeScript sources directly (type stripping), so the
# image is the sources plus the production dependencies; no build step.
FROM node:24-bookworm-slim

ENV NODE_ENV=production \
    HUB_HOST=0.0.0.0 \
    HUB_DATA_DIR=/var/lib/eldercare-hub

WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the `node` package's install script only links the binary the image already has.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY . .

# Non-root: the hub needs no privilege (ports above 1024) and owns only its data directory.
RUN groupadd --system --gid 10001 hub \
 && useradd --system --uid 10001 --gid hub --home-dir /var/lib/eldercare-hub --no-create-home hub \
 && mkdir -p /var/lib/eldercare-hub && chown hub:hub /var/lib/eldercare-hub && chmod 0700 /var/lib/eldercare-hub
USER hub:hub
VOLUME ["/var/lib/eldercare-hub"]

# MQTT, MQTT over TLS (when HUB_MQTT_TLS_CERT/KEY are set), console, API and MQTT over WebSocket.
EXPOSE 1883 8883 8080

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HUB_HTTP_PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# SIGTERM stops the rooms in order (the broker first, the store last).
STOPSIGNAL SIGTERM
CMD ["node", "main.ts"]
