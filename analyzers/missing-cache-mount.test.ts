import { missingCacheMount } from './missing-cache-mount.js';
import { runCase, testAnalyzer } from '../test/analyzer-tester.js';

const s = (x: string) => expect.stringContaining(x) as unknown as string;

testAnalyzer(missingCacheMount, {
  valid: [
    { name: 'npm with its cache mounted', dockerfile: 'FROM node:22\nCOPY package*.json ./\nRUN --mount=type=cache,target=/root/.npm npm ci\n' },
    { name: 'a mount on a parent of the cache (~/.cache holds pip)', dockerfile: 'FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache pip install -r requirements.txt\n' },
    { name: 'a cache with its own id and a target the ecosystem names', dockerfile: 'FROM node:22\nRUN --mount=type=cache,id=npm,target=/cache/.npm,sharing=locked npm ci --cache /cache/.npm\n' },
    { name: 'a cache directory set by ENV, mounted there', dockerfile: 'FROM node:22\nENV npm_config_cache=/tmp/npm-cache\nRUN --mount=type=cache,target=/tmp/npm-cache npm ci\n' },
    {
      name: 'apt with both of its directories mounted',
      dockerfile: 'FROM debian:12\nRUN --mount=type=cache,target=/var/cache/apt,sharing=locked --mount=type=cache,target=/var/lib/apt,sharing=locked apt-get update && apt-get install -y curl\n',
    },
    { name: 'go build with the build cache mounted', dockerfile: 'FROM golang:1.22\nRUN --mount=type=cache,target=/root/.cache/go-build go build ./...\n' },
    { name: 'not an install: npm run, a global tool, go vet', dockerfile: 'FROM node:22\nRUN npm run build\nRUN npm install -g pnpm@9\nRUN go vet ./...\n' },
    { name: 'a numeric USER without HOME: the cache directory cannot be known', dockerfile: 'FROM node:22\nUSER 1000\nRUN npm ci\n' },
    { name: 'bundler and dotnet install into what a mount would hide: not covered', dockerfile: 'FROM ruby:3.3\nRUN bundle install\nRUN dotnet restore\n' },
    { name: 'apk with its cache mounted', dockerfile: 'FROM alpine:3.20\nRUN --mount=type=cache,target=/var/cache/apk apk add curl\n' },
  ],
  invalid: [
    {
      name: 'npm ci as root: the exact mount line, a suggestion and no fix',
      dockerfile: 'FROM node:22\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\n',
      findings: [
        {
          rule: 'missing-cache-mount',
          messageId: 'noCacheMount',
          severity: 'info',
          line: 4,
          message:
            "`npm ci` downloads every dependency again whenever this step re-runs (a change above it, a new base image, `--no-cache`): nothing keeps npm's cache (/root/.npm) between builds. A BuildKit cache mount keeps it on the builder, out of the image.",
          suggestion: 'Mount the cache (needs BuildKit; a suggestion, not a fix):\nRUN --mount=type=cache,target=/root/.npm npm ci',
        },
      ],
      output: null,
    },
    {
      name: 'apt: sharing=locked on both directories, the docker-clean hook, and the clean-up to drop',
      dockerfile: 'FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl \\\n && rm -rf /var/lib/apt/lists/*\n',
      findings: [
        {
          messageId: 'noCacheMount',
          line: 2,
          message: s('downloads every package again'),
          suggestion:
            'Mount the cache (needs BuildKit; a suggestion, not a fix):\n' +
            'RUN --mount=type=cache,target=/var/cache/apt,sharing=locked --mount=type=cache,target=/var/lib/apt,sharing=locked apt-get update && apt-get install -y --no-install-recommends curl \\\n    …\n' +
            '- apt needs `sharing=locked`: it locks its cache, and two builds sharing it at once would clash.\n' +
            "- The Debian and Ubuntu images' `/etc/apt/apt.conf.d/docker-clean` hook deletes every downloaded package after the install, so the cache stays empty: remove it in an earlier RUN: `RUN rm -f /etc/apt/apt.conf.d/docker-clean && echo 'Binary::apt::APT::Keep-Downloaded-Packages \"true\";' > /etc/apt/apt.conf.d/keep-cache`.\n" +
            '- Drop `rm -rf /var/lib/apt/lists/*` from this RUN: with the mount it would keep the cache unused or empty it every build.',
        },
      ],
    },
    {
      name: 'apt when the Dockerfile already removes docker-clean: no word about it',
      dockerfile: 'FROM ubuntu:24.04\nRUN rm -f /etc/apt/apt.conf.d/docker-clean\nRUN apt-get update && apt-get install -y git\n',
      findings: [{ line: 3, suggestion: s('sharing=locked`: it locks') }],
    },
    {
      name: 'go: the module cache (GOPATH=/go in the golang image) and the build cache; go mod download only needs the first',
      dockerfile: 'FROM golang:1.22 AS build\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /app ./cmd/server\n',
      findings: [
        { line: 3, suggestion: s('RUN --mount=type=cache,target=/go/pkg/mod go mod download\n- /go/pkg/mod holds the downloaded dependencies themselves') },
        {
          line: 5,
          message: s('`CGO_ENABLED=0 go build -o /app ./cmd/server` downloads every dependency and compiles it again'),
          suggestion: s('RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build CGO_ENABLED=0 go build'),
        },
      ],
    },
    {
      name: 'a non-root USER: its HOME, and a word on uid/gid; a numeric USER with HOME gets uid= and gid=',
      dockerfile: 'FROM node:22\nUSER node\nRUN npm ci\nFROM python:3.12\nENV HOME=/app\nUSER 1001:1001\nRUN pip install --user -r requirements.txt\n',
      findings: [
        { line: 3, suggestion: s('RUN --mount=type=cache,target=/home/node/.npm npm ci\n- The mount is owned by root: add `uid=`/`gid=` of `node`') },
        { line: 7, suggestion: s('RUN --mount=type=cache,target=/app/.cache/pip,uid=1001,gid=1001 pip install') },
      ],
    },
    {
      name: 'pip --no-cache-dir and PIP_NO_CACHE_DIR would keep the mounted cache unused: say to drop them',
      dockerfile: 'FROM python:3.12\nENV PIP_NO_CACHE_DIR=1\nRUN pip install --no-cache-dir -r requirements.txt\n',
      findings: [
        {
          line: 3,
          suggestion:
            'Mount the cache (needs BuildKit; a suggestion, not a fix):\nRUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\n' +
            '- The line above leaves out `--no-cache-dir`: with the mount it would keep the cache unused or empty it every build.\n' +
            '- Unset `PIP_NO_CACHE_DIR` (an ENV, or a prefix of the command) for this RUN: it turns the cache off.',
        },
      ],
    },
    {
      name: 'a clean-up on the shown line is left out of it; npm cache clean too',
      dockerfile: 'FROM debian:12\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\nFROM node:22\nRUN npm ci --omit=dev && npm cache clean --force\n',
      findings: [
        { line: 2, suggestion: expect.stringMatching(/sharing=locked apt-get update && apt-get install -y curl\n- apt needs[^]*\n- The line above leaves out `rm -rf \/var\/lib\/apt\/lists\/\*`/) as unknown as string },
        { line: 4, suggestion: s('RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev\n- The line above leaves out `npm cache clean --force`') },
      ],
    },
    {
      name: 'apk: the /etc/apk/cache link and --no-cache; uv: UV_LINK_MODE',
      dockerfile: 'FROM alpine:3.20\nRUN apk add --no-cache curl\nFROM python:3.12\nRUN uv sync --locked\n',
      findings: [
        { line: 2, suggestion: s('RUN --mount=type=cache,target=/var/cache/apk apk add curl\n- apk keeps downloaded packages only when /etc/apk/cache exists') },
        { line: 4, suggestion: s('target=/root/.cache/uv uv sync --locked\n- Set `ENV UV_LINK_MODE=copy`') },
      ],
    },
    {
      name: 'cargo in the rust image, maven and gradle: the directories that hold the dependencies',
      dockerfile: 'FROM rust:1.80\nRUN cargo build --release\nFROM maven:3-eclipse-temurin-21\nRUN mvn -B package\nFROM gradle:8-jdk21\nRUN gradle build --no-daemon\n',
      findings: [
        { line: 2, suggestion: s('--mount=type=cache,target=/usr/local/cargo/registry --mount=type=cache,target=/usr/local/cargo/git cargo build') },
        { line: 4, suggestion: s('--mount=type=cache,target=/root/.m2 mvn -B package') },
        { line: 6, suggestion: s('--mount=type=cache,target=/home/gradle/.gradle gradle build') },
      ],
    },
    {
      name: 'yarn as root (classic), yarn --immutable (Berry), pnpm with PNPM_HOME, poetry',
      dockerfile: 'FROM node:22\nRUN yarn install --frozen-lockfile\nRUN yarn install --immutable\nENV PNPM_HOME=/pnpm\nRUN pnpm install --frozen-lockfile\nFROM python:3.12\nRUN poetry install --no-root\n',
      findings: [
        { line: 2, suggestion: s('target=/usr/local/share/.cache/yarn yarn') },
        { line: 3, suggestion: s('target=/root/.yarn/berry/cache yarn') },
        { line: 5, suggestion: s('target=/pnpm/store pnpm') },
        { line: 7, suggestion: s('target=/root/.cache/pypoetry poetry') },
      ],
    },
    {
      name: 'two ecosystems in one RUN: one finding, both mounts; a mount for another ecosystem does not count',
      dockerfile: 'FROM python:3.12\nRUN --mount=type=cache,target=/root/.npm apt-get update && apt-get install -y gcc && pip install -r requirements.txt\n',
      findings: [
        {
          line: 2,
          message: s("nothing keeps apt's and pip's cache (/var/cache/apt, /var/lib/apt, /root/.cache/pip)"),
          suggestion: s('RUN --mount=type=cache,target=/var/cache/apt,sharing=locked --mount=type=cache,target=/var/lib/apt,sharing=locked --mount=type=cache,target=/root/.cache/pip --mount=type=cache,target=/root/.npm apt-get'),
        },
      ],
    },
    {
      name: 'exec form and heredoc RUNs are read too',
      dockerfile: 'FROM node:22\nRUN ["npm", "ci"]\nRUN <<EOF\nset -e\npip install flask\nEOF\n',
      findings: [{ line: 2 }, { line: 3 }],
    },
    {
      name: 'with a build: costMs is the measured time of the install step; none when it came from the cache',
      dockerfile: 'FROM node:22\nRUN npm ci\nFROM python:3.12\nRUN pip install flask\n',
      log: [
        '#1 [stage-0 1/2] FROM docker.io/library/node:22',
        '#1 DONE 0.1s',
        '',
        '#2 [stage-0 2/2] RUN npm ci',
        '#2 DONE 41.2s',
        '',
        '#3 [stage-1 1/2] FROM docker.io/library/python:3.12',
        '#3 DONE 0.1s',
        '',
        '#4 [stage-1 2/2] RUN pip install flask',
        '#4 CACHED',
        '',
      ].join('\n'),
      findings: [{ line: 2, costMs: 41200 }, { line: 4 }],
    },
    {
      name: 'a bind mount (or a tmpfs) is not a cache',
      dockerfile: 'FROM node:22\nRUN --mount=type=bind,source=package.json,target=package.json --mount=type=tmpfs,target=/root/.npm npm ci\n',
      findings: [{ line: 2, suggestion: s('RUN --mount=type=cache,target=/root/.npm --mount=type=bind') }],
    },
  ],
});

test('missing-cache-mount: a step served from the cache has no measured cost', () => {
  const log = '#1 [1/2] FROM docker.io/library/python:3.12\n#1 DONE 0.1s\n\n#2 [2/2] RUN pip install flask\n#2 CACHED\n';
  const [finding] = runCase(missingCacheMount, { dockerfile: 'FROM python:3.12\nRUN pip install flask\n', log });
  expect(finding).toBeDefined();
  expect(finding).not.toHaveProperty('costMs');
});
