import { toolchainInFinalImage } from './toolchain-in-final-image.js';
import { testAnalyzer } from '../test/analyzer-tester.js';

const s = (x: RegExp | string) => (typeof x === 'string' ? expect.stringContaining(x) : expect.stringMatching(x)) as unknown as string;

testAnalyzer(toolchainInFinalImage, {
  valid: [
    { name: 'already multi-stage', dockerfile: 'FROM golang:1.23 AS build\nRUN go build -o /out/app .\nFROM alpine:3.20\nCOPY --from=build /out/app /app\n' },
    { name: 'a Go image that only runs go vet (no build output to copy)', dockerfile: 'FROM golang:1.23\nCOPY . .\nRUN go vet ./...\n' },
    { name: 'a JRE image', dockerfile: 'FROM eclipse-temurin:21-jre\nCOPY app.jar /app.jar\nCMD ["java", "-jar", "/app.jar"]\n' },
    { name: 'compilers removed in the same RUN', dockerfile: 'FROM python:3.12-alpine\nRUN apk add --no-cache --virtual .build-deps gcc musl-dev && pip install --no-cache-dir psycopg2 && apk del .build-deps\n' },
    { name: 'npm with --omit=dev', dockerfile: 'FROM node:22\nCOPY package*.json ./\nRUN npm ci --omit=dev\nCOPY . .\nCMD ["node", "server.js"]\n' },
    { name: 'NODE_ENV=production before the install', dockerfile: 'FROM node:22\nENV NODE_ENV=production\nCOPY package*.json ./\nRUN npm ci\n' },
    { name: 'a global install is a tool, not dev dependencies', dockerfile: 'FROM node:22\nRUN npm install -g pm2\n' },
    {
      name: 'package.json without devDependencies',
      dockerfile: 'FROM node:22\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\n',
      context: [{ path: 'package.json', size: 40, content: '{"dependencies":{"express":"4"}}' }],
    },
    { name: 'a dev container is a toolchain on purpose', dockerfile: 'FROM mcr.microsoft.com/devcontainers/base:bookworm\nRUN apt-get update && apt-get install -y build-essential\n' },
    { name: 'runtime packages only', dockerfile: 'FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends ca-certificates libpq5 make && rm -rf /var/lib/apt/lists/*\n' },
  ],
  invalid: [
    {
      name: 'a Go build in the golang image: runtime stage sketch with the binary',
      dockerfile: 'FROM golang:1.23\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/server ./cmd/server\nEXPOSE 8080\nENTRYPOINT ["/out/server"]\n',
      findings: [{
        rule: 'toolchain-in-final-image',
        severity: 'info',
        line: 1,
        message: 'This single-stage build keeps what only the build needs in the image it produces: the Go toolchain (`FROM golang:1.23`). They make the image bigger and slower to export, push and pull; build in a stage of its own and copy only the result into a runtime stage.',
        suggestion: 'A multi-stage sketch of this Dockerfile (adjust the runtime image and the paths):\nFROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/server ./cmd/server\n\nFROM gcr.io/distroless/static-debian12  # build with CGO_ENABLED=0; or alpine / debian:bookworm-slim\nWORKDIR /src\nCOPY --from=build /out/server /out/server\nEXPOSE 8080\nENTRYPOINT ["/out/server"]',
      }],
      output: null,
    },
    {
      name: 'compilers and headers from apt, and the dev dependencies of a build',
      dockerfile: 'FROM node:22\nRUN apt-get update && apt-get install -y build-essential python3 libpq-dev=15.1 && rm -rf /var/lib/apt/lists/*\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\nCMD ["node", "dist/server.js"]\n',
      findings: [{
        line: 2,
        message: s('keeps what only the build needs in the image it produces: `build-essential`, `libpq-dev` (line 2) and the dev dependencies of `npm ci` (line 5).'),
        suggestion: s('FROM node:22\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci --omit=dev\nCOPY --from=build /app/dist ./dist  # the build output\nCMD ["node", "dist/server.js"]'),
      }],
    },
    {
      name: 'dev dependencies and no build step: --omit=dev is the suggestion',
      dockerfile: 'FROM node:22\nWORKDIR /app\nCOPY package*.json ./\nRUN npm install\nCOPY . .\nCMD ["node", "server.js"]\n',
      context: [{ path: 'package.json', size: 80, content: '{"dependencies":{"express":"4"},"devDependencies":{"jest":"29"}}' }],
      findings: [{ messageId: 'devOnly', line: 4, suggestion: 'Install without the dev dependencies: `npm install --omit=dev` (or set `ENV NODE_ENV=production` before it).' }],
    },
    {
      name: 'apk build-base; the cost is the measured time of the install step',
      dockerfile: 'FROM alpine:3.20\nRUN apk add --no-cache build-base\nCOPY . /src\nRUN make -C /src\n',
      log: '#1 [1/4] FROM docker.io/library/alpine:3.20\n#1 DONE 0.1s\n\n#2 [2/4] RUN apk add --no-cache build-base\n#2 DONE 14.2s\n\n#3 [3/4] COPY . /src\n#3 DONE 0.1s\n\n#4 [4/4] RUN make -C /src\n#4 DONE 2.0s\n',
      findings: [{ line: 2, costMs: 14200, message: s('`build-base` (line 2)') }],
    },
    {
      name: 'Rails: yarn dev dependencies used by assets:precompile: a build stage, not --production',
      dockerfile: 'FROM ruby:3.3\nCOPY package.json yarn.lock ./\nRUN yarn install --frozen-lockfile\nCOPY . .\nRUN bundle exec rails assets:precompile\n',
      findings: [{ messageId: 'ships', line: 3 }],
    },
    {
      name: 'maven image packaging a jar',
      dockerfile: 'FROM maven:3.9-eclipse-temurin-21\nWORKDIR /app\nCOPY . .\nRUN mvn -B package\nCMD ["java", "-jar", "target/app.jar"]\n',
      findings: [{ line: 1, message: s('a JDK and its build tool (`FROM maven:3.9-eclipse-temurin-21`)'), suggestion: s('FROM eclipse-temurin:21-jre\nWORKDIR /app\nCOPY --from=build /app/target/*.jar app.jar') }],
    },
  ],
});
