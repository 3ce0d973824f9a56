import { copyBeforeInstall } from './copy-before-install.js';
import { runCase, testAnalyzer } from '../test/analyzer-tester.js';
import type { ContextFile } from './types.js';

const file = (path: string, content = ''): ContextFile => ({ path, size: content.length, content });
const PKG = JSON.stringify({ name: 'app', scripts: { build: 'tsc' }, dependencies: { express: '^4' } });
const NODE_CONTEXT = [file('package.json', PKG), file('package-lock.json', '{}'), file('src/server.js', 'x'), file('.dockerignore', 'node_modules\n')];

testAnalyzer(copyBeforeInstall, {
  valid: [
    {
      name: 'manifests first, install, then the rest',
      dockerfile: 'FROM node:22\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\n',
      context: NODE_CONTEXT,
    },
    {
      name: 'a cache mount and a bind mount of the manifests, no COPY before the install',
      dockerfile: 'FROM node:22\nWORKDIR /app\nRUN --mount=type=bind,source=package.json,target=package.json --mount=type=cache,target=/root/.npm npm ci\nCOPY . .\n',
    },
    {
      name: 'go: modules downloaded before the whole COPY, built after it',
      dockerfile: 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build -o /out/server ./cmd/server\n',
    },
    {
      name: 'poetry: --no-root before, the project install after the COPY',
      dockerfile: 'FROM python:3.12\nCOPY pyproject.toml poetry.lock ./\nRUN poetry install --no-root\nCOPY . .\nRUN poetry install\n',
    },
    { name: 'the broad COPY is in another stage', dockerfile: 'FROM node:22 AS a\nCOPY . .\nFROM node:22\nRUN npm ci\n' },
    { name: 'pip with inline package names reads nothing from the context', dockerfile: 'FROM python:3.12\nCOPY . .\nRUN pip install flask\n' },
    { name: 'a COPY of one file is not broad', dockerfile: 'FROM python:3.12\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY app/ ./app/\n' },
    { name: 'COPY --from another stage is not from the context', dockerfile: 'FROM node:22 AS b\nRUN true\nFROM node:22\nCOPY --from=b / /\nRUN npm ci\n' },
    { name: 'a global npm install is not the project install', dockerfile: 'FROM node:22\nCOPY . .\nRUN npm install -g pnpm@9\n' },
  ],
  invalid: [
    {
      name: 'node: COPY . . before npm ci, fixed by copying the manifests first',
      dockerfile: 'FROM node:22 AS build\nWORKDIR /app\nCOPY . .\nRUN npm ci\nRUN npm run build\n',
      context: NODE_CONTEXT,
      findings: [{
        rule: 'copy-before-install',
        severity: 'warning',
        line: 3,
        messageId: 'broadCopy',
        message: '`COPY . .` copies the whole build context before `npm ci` (line 4): any edit to a copied file re-runs that step and every step after it, though the dependencies did not change; copy the manifests first, install the npm dependencies, then copy the rest.',
      }],
      output: 'FROM node:22 AS build\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\n',
    },
    {
      name: 'flags of the COPY are kept, .npmrc goes with the manifests, ENV between is fine',
      dockerfile: 'FROM node:22\nWORKDIR /app\nCOPY --chown=node:node . /app\nENV CI=1\nRUN npm ci --omit=dev && npm cache clean --force\nCMD ["node", "."]\n',
      context: [...NODE_CONTEXT, file('.npmrc', 'fund=false\n')],
      findings: [{ line: 3 }],
      output: 'FROM node:22\nWORKDIR /app\nCOPY --chown=node:node package.json package-lock.json .npmrc /app/\nENV CI=1\nRUN npm ci --omit=dev && npm cache clean --force\nCOPY --chown=node:node . /app\nCMD ["node", "."]\n',
    },
    {
      name: 'python: requirements and the files they include keep their directories',
      dockerfile: 'FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install --no-cache-dir -r requirements/prod.txt\nCMD ["python", "-m", "app"]\n',
      context: [file('requirements/prod.txt', '-r base.txt\ngunicorn\n'), file('requirements/base.txt', 'flask==3.0.0\n'), file('app/__main__.py', 'print(1)')],
      findings: [{ line: 3, message: expect.stringContaining('pip install') as unknown as string }],
      output: 'FROM python:3.12\nWORKDIR /app\nCOPY requirements/prod.txt requirements/base.txt ./requirements/\nRUN pip install --no-cache-dir -r requirements/prod.txt\nCOPY . .\nCMD ["python", "-m", "app"]\n',
    },
    {
      name: 'a postinstall script runs project code: a suggestion, not a fix',
      dockerfile: 'FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm ci\n',
      context: [file('package.json', JSON.stringify({ scripts: { postinstall: 'node scripts/patch.js' } })), file('package-lock.json', '{}')],
      findings: [{ line: 3, suggestion: expect.stringContaining('`postinstall` script') as unknown as string }],
      output: null,
    },
    {
      name: 'workspaces: a suggestion',
      dockerfile: 'FROM node:22\nCOPY . .\nRUN npm ci\n',
      context: [file('package.json', JSON.stringify({ workspaces: ['packages/*'] })), file('package-lock.json', '{}')],
      findings: [{ line: 2, suggestion: expect.stringContaining('workspaces') as unknown as string }],
      output: null,
    },
    {
      name: '-e . in requirements: a suggestion',
      dockerfile: 'FROM python:3.12\nCOPY . .\nRUN pip install -r requirements.txt\n',
      context: [file('requirements.txt', 'flask\n-e .\n'), file('setup.py', '')],
      findings: [{ suggestion: expect.stringContaining('editable') as unknown as string }],
      output: null,
    },
    {
      name: 'go build without go mod download: a suggestion with the lines to add',
      dockerfile: 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/app .\n',
      context: [file('go.mod', 'module x\n'), file('go.sum', ''), file('main.go', 'package main')],
      findings: [{ line: 3, suggestion: expect.stringContaining('COPY go.mod go.sum ./\nRUN go mod download') as unknown as string }],
      output: null,
    },
    {
      name: 'cargo build: cargo-chef suggested',
      dockerfile: 'FROM rust:1\nCOPY . .\nRUN cargo build --release\n',
      findings: [{ suggestion: expect.stringContaining('cargo chef') as unknown as string }],
      output: null,
    },
    {
      name: 'poetry install without --no-root: --no-root suggested',
      dockerfile: 'FROM python:3.12\nCOPY . .\nRUN poetry install\n',
      findings: [{ suggestion: expect.stringContaining('poetry install --no-root') as unknown as string }],
      output: null,
    },
    {
      name: 'the install RUN also builds: no fix',
      dockerfile: 'FROM node:22\nCOPY . .\nRUN npm ci && npm run build\n',
      context: NODE_CONTEXT,
      findings: [{ line: 2, suggestion: expect.stringContaining('COPY package.json package-lock.json ./') as unknown as string }],
      output: null,
    },
    {
      name: 'no context known: the lines are shown as a suggestion',
      dockerfile: 'FROM node:22\nCOPY . .\nRUN yarn install --frozen-lockfile\n',
      findings: [{ suggestion: 'Copy the manifests first, install, then copy the rest:\nCOPY package.json yarn.lock ./\nRUN yarn install --frozen-lockfile\nCOPY . .' }],
      output: null,
    },
    {
      name: 'no lockfile: the install would write one; no fix',
      dockerfile: 'FROM node:22\nCOPY . .\nRUN npm install\n',
      context: [file('package.json', '{}'), file('index.js', '')],
      findings: [{ line: 2 }],
      output: null,
    },
    {
      name: 'node_modules in the context would be copied over the installed one: no fix',
      dockerfile: 'FROM node:22\nCOPY . .\nRUN npm ci\n',
      context: [file('package.json', '{}'), file('package-lock.json', '{}'), file('node_modules/x/index.js', '')],
      findings: [{ line: 2 }],
      output: null,
    },
    {
      name: 'a directory of sources before the install',
      dockerfile: 'FROM python:3.12\nCOPY src/ ./src/\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n',
      context: [file('requirements.txt', 'flask\n'), file('src/app.py', '')],
      findings: [{ line: 2, message: expect.stringContaining('`src/`, which holds sources,') as unknown as string }],
      output: null,
    },
  ],
});

describe('copy-before-install with a build', () => {
  it('costs the install and every later step of the stage and of the stages built from it', () => {
    const dockerfile = 'FROM localbase/toolchains AS build\nWORKDIR /app\nCOPY . .\nRUN npm ci\nRUN npm run build\n\nFROM build AS test\nRUN npm test\n\nFROM localbase/busybox\nCOPY --from=build /app/dist ./dist\n';
    const log = [
      '#1 [build 1/4] FROM docker.io/localbase/toolchains:latest',
      '#1 DONE 0.0s',
      '#2 [build 2/4] WORKDIR /app',
      '#2 CACHED',
      '#3 [build 3/4] COPY . .',
      '#3 DONE 0.1s',
      '#4 [build 4/4] RUN npm ci',
      '#4 DONE 3.0s',
      '#5 [build 5/5] RUN npm run build',
      '#5 DONE 2.0s',
      '#6 [test 2/2] RUN npm test',
      '#6 DONE 1.5s',
      '#7 [stage-2 2/2] COPY --from=build /app/dist ./dist',
      '#7 DONE 0.2s',
      '',
    ].join('\n');
    const found = runCase(copyBeforeInstall, { dockerfile, log, context: NODE_CONTEXT });
    expect(found).toHaveLength(1);
    expect(found[0]!.costMs).toBe(6500);
  });
});
