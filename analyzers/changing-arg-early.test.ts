import { changingArgEarly, isVolatileArgName } from './changing-arg-early.js';
import { testAnalyzer } from '../test/analyzer-tester.js';

testAnalyzer(changingArgEarly, {
  valid: [
    { name: 'the ARG is declared late, after the RUN steps', dockerfile: 'FROM node:22\nRUN npm ci\nARG GIT_SHA\nLABEL org.opencontainers.image.revision=$GIT_SHA\n' },
    { name: 'a tool version is not a per-build value', dockerfile: 'FROM debian:12\nARG NODE_VERSION=22.11.0\nRUN curl -fsSL https://example.com/node-v$NODE_VERSION.tgz | tar xz\n' },
    { name: 'the first RUN after it uses it: nothing to spare', dockerfile: 'FROM golang:1.23\nARG VERSION\nRUN go build -ldflags "-X main.version=${VERSION}" ./...\n' },
    { name: 'a global ARG (before FROM) is not in any stage', dockerfile: 'ARG BUILD_DATE\nFROM debian:12\nRUN apt-get update && apt-get install -y curl\n' },
    { name: 'no RUN after it, only COPY (COPY is not affected)', dockerfile: 'FROM nginx:1.27\nARG GIT_SHA\nCOPY site/ /usr/share/nginx/html/\nLABEL rev=$GIT_SHA\n' },
    { name: 'predefined platform args', dockerfile: 'FROM debian:12\nARG TARGETARCH\nARG SOURCE_DATE_EPOCH\nRUN echo hi\n' },
  ],
  invalid: [
    {
      name: 'ARG with its LABEL above an install: both move to the end of the stage',
      dockerfile: 'FROM node:22\nARG GIT_SHA\nLABEL org.opencontainers.image.revision=$GIT_SHA\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\nCMD ["node", "dist/index.js"]\n',
      findings: [
        {
          rule: 'changing-arg-early',
          messageId: 'withReaders',
          severity: 'warning',
          file: 'Dockerfile',
          line: 2,
          message:
            '`ARG GIT_SHA` usually gets a new value on every build, and BuildKit puts it into the cache key of every later RUN of the stage: 2 RUN step(s) from line 5 re-run each time. Only the ENV/LABEL lines right after it read it: declare them all at the end of the stage.',
        },
      ],
      output:
        'FROM node:22\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\nCMD ["node", "dist/index.js"]\nARG GIT_SHA\nLABEL org.opencontainers.image.revision=$GIT_SHA\n',
    },
    {
      name: 'unused in the stage: moved after the last instruction',
      dockerfile: 'FROM debian:12\nARG CACHEBUST=1\nRUN apt-get update && apt-get install -y curl\nCOPY app /app\nCMD ["/app"]\n',
      findings: [
        {
          messageId: 'unused',
          line: 2,
          message:
            '`ARG CACHEBUST` usually gets a new value on every build, and BuildKit puts it into the cache key of every later RUN of the stage: 1 RUN step(s) from line 3 re-run each time. The stage never uses it: declare it at the end of the stage, or where it is needed.',
        },
      ],
      output: 'FROM debian:12\nRUN apt-get update && apt-get install -y curl\nCOPY app /app\nCMD ["/app"]\nARG CACHEBUST=1\n',
    },
    {
      name: 'moved down to just before its first use, above the comment there',
      dockerfile: 'FROM golang:1.23\nARG VERSION\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\n# stamp the binary\nRUN go build -ldflags "-X main.version=$VERSION" -o /app .\n',
      findings: [{ messageId: 'beforeUse', line: 2, message: expect.stringContaining('2 RUN step(s) from line 4') as unknown as string }],
      output: 'FROM golang:1.23\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nARG VERSION\n# stamp the binary\nRUN go build -ldflags "-X main.version=$VERSION" -o /app .\n',
    },
    {
      name: 'ARG and the ENV fed by it move together, before the first use of the ENV',
      dockerfile: 'FROM python:3.12\nARG BUILD_DATE\nENV APP_BUILT=$BUILD_DATE\nRUN pip install -r requirements.txt\nRUN ./stamp.sh "$APP_BUILT"\n',
      findings: [{ messageId: 'beforeUse', line: 2 }],
      output: 'FROM python:3.12\nRUN pip install -r requirements.txt\nARG BUILD_DATE\nENV APP_BUILT=$BUILD_DATE\nRUN ./stamp.sh "$APP_BUILT"\n',
    },
    {
      name: 'stages built FROM it inherit it; reported with them, the move spares the stage itself',
      dockerfile: 'FROM debian:12 AS base\nARG GIT_COMMIT\nRUN apt-get update && apt-get install -y make\nFROM base AS build\nRUN make\nFROM debian:12\nCOPY --from=build /out /out\nRUN ls /out\n',
      findings: [
        {
          messageId: 'unused',
          line: 2,
          message:
            '`ARG GIT_COMMIT` usually gets a new value on every build, and BuildKit puts it into the cache key of every later RUN of the stage and of the stages built FROM it: 2 RUN step(s) from line 3 re-run each time. The stage never uses it: declare it at the end of the stage, or where it is needed.',
        },
      ],
      output: 'FROM debian:12 AS base\nRUN apt-get update && apt-get install -y make\nARG GIT_COMMIT\nFROM base AS build\nRUN make\nFROM debian:12\nCOPY --from=build /out /out\nRUN ls /out\n',
    },
    {
      name: 'an ARG declaring two names: reported per name, no fix',
      dockerfile: 'FROM alpine:3.20\nARG BUILD_DATE GIT_SHA\nRUN apk add --no-cache curl\n',
      findings: [
        { messageId: 'unused', line: 2, message: expect.stringContaining('`ARG BUILD_DATE`') as unknown as string },
        { messageId: 'unused', line: 2, message: expect.stringContaining('`ARG GIT_SHA`') as unknown as string },
      ],
      output: null,
    },
    {
      name: 'with a build: costMs is the time of the RUN steps it busts',
      dockerfile: 'FROM debian:12\nARG BUILD_NUMBER\nRUN make deps\nRUN make\n',
      log: [
        '#1 [internal] load build definition from Dockerfile',
        '#1 DONE 0.0s',
        '',
        '#2 [1/3] FROM docker.io/library/debian:12',
        '#2 CACHED',
        '',
        '#3 [2/3] RUN make deps',
        '#3 DONE 12.5s',
        '',
        '#4 [3/3] RUN make',
        '#4 DONE 3.0s',
        '',
      ].join('\n'),
      findings: [{ messageId: 'unused', line: 2, costMs: 15500 }],
      output: 'FROM debian:12\nRUN make deps\nRUN make\nARG BUILD_NUMBER\n',
    },
  ],
});

describe('isVolatileArgName', () => {
  it.each(['BUILD_DATE', 'GIT_SHA', 'VERSION', 'CACHEBUST', 'CACHE_BUST', 'CI_COMMIT_SHA', 'BUILD_NUMBER', 'VCS_REF', 'APP_VERSION', 'IMAGE_TAG', 'build_id'])('%s changes per build', (n) => {
    expect(isVolatileArgName(n)).toBe(true);
  });
  it.each(['NODE_VERSION', 'ALPINE_TAG', 'TARGETARCH', 'HTTP_PROXY', 'SOURCE_DATE_EPOCH', 'TOOL_SHA256', 'USER', 'PORT', 'TIME_ZONE', 'DATE_FORMAT'])('%s does not', (n) => {
    expect(isVolatileArgName(n)).toBe(false);
  });
});
