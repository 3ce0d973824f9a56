import { packageCacheLeft } from './package-cache-left.js';
import { testAnalyzer } from '../test/analyzer-tester.js';

testAnalyzer(packageCacheLeft, {
  valid: [
    { name: 'apt lists removed in the same RUN', dockerfile: 'FROM debian:12\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n' },
    {
      name: 'apt with cache mounts: nothing enters the layer',
      dockerfile:
        'FROM debian:12\nRUN --mount=type=cache,target=/var/cache/apt,sharing=locked --mount=type=cache,target=/var/lib/apt,sharing=locked \\\n    apt-get update && apt-get install -y curl\n',
    },
    { name: 'apk add --no-cache', dockerfile: 'FROM alpine:3.20\nRUN apk add --no-cache curl git\n' },
    { name: 'apk with a cache mount', dockerfile: 'FROM alpine:3.20\nRUN --mount=type=cache,target=/var/cache/apk apk add curl\n' },
    { name: 'pip --no-cache-dir', dockerfile: 'FROM python:3.12\nRUN pip install --no-cache-dir -r requirements.txt\n' },
    { name: 'pip with PIP_NO_CACHE_DIR set by ENV', dockerfile: 'FROM python:3.12\nENV PIP_NO_CACHE_DIR=1\nRUN pip install -r requirements.txt\n' },
    { name: 'pip with a cache mount', dockerfile: 'FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\n' },
    { name: 'npm cache cleaned in the same RUN', dockerfile: 'FROM node:22\nRUN npm ci && npm cache clean --force\n' },
    { name: 'npm with a cache mount', dockerfile: 'FROM node:22\nRUN --mount=type=cache,target=/root/.npm npm ci\n' },
    {
      name: 'a builder stage that is not part of the image',
      dockerfile: 'FROM node:22 AS build\nRUN npm ci && npm run build\nFROM nginx:1.27\nCOPY --from=build /app/dist /usr/share/nginx/html\n',
    },
    { name: 'apt-get update alone is apt-update-alone\'s', dockerfile: 'FROM debian:12\nRUN apt-get update\nRUN apt-get install -y curl\n' },
  ],
  invalid: [
    {
      name: 'apt lists left: the clean-up is appended to the RUN',
      dockerfile: 'FROM debian:12\nRUN apt-get update && apt-get install -y curl\nCMD ["curl"]\n',
      findings: [
        {
          rule: 'package-cache-left',
          messageId: 'left',
          severity: 'info',
          file: 'Dockerfile',
          line: 2,
          message:
            '`apt-get update` leaves the apt package lists (/var/lib/apt/lists, tens of MB) in this layer of the image. End the RUN with `&& rm -rf /var/lib/apt/lists/*` in the same RUN, or keep it in a cache mount.',
        },
      ],
      output: 'FROM debian:12\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\nCMD ["curl"]\n',
    },
    {
      name: 'a multi-line RUN gets a continuation line of its own',
      dockerfile: 'FROM debian:12\nRUN apt-get update && \\\n    apt-get install -y \\\n      curl \\\n      git\n',
      findings: [{ messageId: 'left', line: 2 }],
      output: 'FROM debian:12\nRUN apt-get update && \\\n    apt-get install -y \\\n      curl \\\n      git && \\\n      rm -rf /var/lib/apt/lists/*\n',
    },
    {
      name: 'the continuation uses the escape directive\'s character',
      dockerfile: '# escape=`\nFROM debian:12\nRUN apt-get update && `\n    apt-get install -y curl\n',
      findings: [{ messageId: 'left', line: 3 }],
      output: '# escape=`\nFROM debian:12\nRUN apt-get update && `\n    apt-get install -y curl && `\n    rm -rf /var/lib/apt/lists/*\n',
    },
    {
      name: 'a later RUN that reads the lists with apt-cache: no fix',
      dockerfile: 'FROM debian:12\nRUN apt-get update && apt-get install -y curl\nRUN apt-cache policy curl\n',
      findings: [{ messageId: 'laterNeedsLists', line: 2 }],
      output: null,
    },
    {
      name: 'removed in a later RUN: does not shrink the image',
      dockerfile: 'FROM debian:12\nRUN apt-get update && apt-get install -y curl\nRUN rm -rf /var/lib/apt/lists/*\n',
      findings: [
        {
          messageId: 'removedLater',
          line: 2,
          message:
            '`apt-get update` leaves the apt package lists (/var/lib/apt/lists, tens of MB) in this layer of the image; the clean-up on line 3 runs in a later RUN, which hides the files but cannot shrink this layer. End the RUN with `&& rm -rf /var/lib/apt/lists/*` in the same RUN.',
        },
      ],
      output: 'FROM debian:12\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\nRUN rm -rf /var/lib/apt/lists/*\n',
    },
    {
      name: 'a later RUN installs from the lists: reported, not fixed',
      dockerfile: 'FROM debian:12\nRUN apt-get update && apt-get install -y curl\nRUN apt-get install -y git\n',
      findings: [
        {
          messageId: 'laterNeedsLists',
          line: 2,
          message: expect.stringContaining('the RUN on line 3 installs from them without its own `apt-get update`') as unknown as string,
        },
      ],
      output: null,
    },
    {
      name: 'apk add: --no-cache is added',
      dockerfile: 'FROM alpine:3.20\nRUN apk add curl git && apk --quiet add jq\n',
      findings: [{ messageId: 'left', line: 2, message: expect.stringContaining('Use `apk add --no-cache`') as unknown as string }],
      output: 'FROM alpine:3.20\nRUN apk add --no-cache curl git && apk --quiet add --no-cache jq\n',
    },
    {
      name: 'apk update: the cache directory is emptied',
      dockerfile: 'FROM alpine:3.20\nRUN apk update && apk add curl\n',
      findings: [{ messageId: 'left', line: 2 }],
      output: 'FROM alpine:3.20\nRUN apk update && apk add curl && rm -rf /var/cache/apk/*\n',
    },
    {
      name: 'pip install: --no-cache-dir is added, also through python -m pip',
      dockerfile: 'FROM python:3.12\nRUN pip install --upgrade pip && \\\n    python3 -m pip install -r requirements.txt\n',
      findings: [{ messageId: 'left', line: 2, message: expect.stringContaining("pip's download and wheel cache") as unknown as string }],
      output: 'FROM python:3.12\nRUN pip install --no-cache-dir --upgrade pip && \\\n    python3 -m pip install --no-cache-dir -r requirements.txt\n',
    },
    {
      name: 'npm ci: the cache is cleaned',
      dockerfile: 'FROM node:22\nCOPY package*.json ./\nRUN npm ci --omit=dev\n',
      findings: [{ messageId: 'left', line: 3 }],
      output: 'FROM node:22\nCOPY package*.json ./\nRUN npm ci --omit=dev && npm cache clean --force\n',
    },
    {
      name: 'only the final stage and the stages it is built FROM count (not the sibling app stage)',
      dockerfile: 'FROM python:3.12 AS base\nRUN pip install poetry\nFROM base AS app\nRUN apt-get update && apt-get install -y libpq5\nFROM base AS test\nRUN pip install pytest\n',
      context: [],
      findings: [{ line: 2 }, { line: 6 }],
    },
    {
      name: 'a trailing comment on the RUN: no fix',
      dockerfile: 'FROM node:22\nRUN npm install # deps\n',
      findings: [{ messageId: 'left', line: 2 }],
      output: null,
    },
  ],
});
