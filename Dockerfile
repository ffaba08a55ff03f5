# The gateway image: API, workers and CLI run from the TypeScript sources through tsx.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
# The engine reads KTP text (NIK, birth date, sex) offline with tesseract's Indonesian model.
RUN apt-get update && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-ind && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# The SDK is a workspace of the lockfile; the server signs and checks capture bundles with its RFC 8785 code.
COPY sdk/package.json ./sdk/
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY config ./config
COPY adapters ./adapters
COPY src ./src
COPY sdk ./sdk
USER node
EXPOSE 8080
ENTRYPOINT ["node", "--import", "tsx", "src/main.ts"]
CMD ["--role", "gateway"]
