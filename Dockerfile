# The ratchet worker image: Node 20 plus git (checkpoints and worktrees use it).
FROM node:20-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends git ca-certificates \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
COPY . .
ENV NODE_ENV=production RATCHET_DATA_DIR=/data
CMD ["node", "bin/ratchet.js", "worker"]
