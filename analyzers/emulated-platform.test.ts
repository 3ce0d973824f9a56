import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { emulatedPlatform, targetPlatforms } from './emulated-platform.js';
import { testAnalyzer } from '../test/analyzer-tester.js';
import { parseLog } from '../src/core/parse/detect.js';

const s = (x: RegExp | string) => (typeof x === 'string' ? expect.stringContaining(x) : expect.stringMatching(x)) as unknown as string;

const GO = 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/app .\n\nFROM alpine:3.19\nCOPY --from=build /out/app /usr/local/bin/app\n';

/** A multi-platform plain log of GO: the build stage once per platform, arm64 slower (emulated). */
const MULTI = [
  '#1 [internal] load build definition from Dockerfile\n#1 DONE 0.0s\n',
  '#2 [linux/amd64 build 1/4] FROM docker.io/library/golang:1.22\n#2 DONE 2.0s\n',
  '#3 [linux/arm64 build 1/4] FROM docker.io/library/golang:1.22\n#3 DONE 2.1s\n',
  '#4 [linux/amd64 build 4/4] RUN go build -o /out/app .\n#4 DONE 18.9s\n',
  '#5 [linux/arm64 build 4/4] RUN go build -o /out/app .\n#5 DONE 95.3s\n',
  '#6 [linux/arm64 stage-1 2/2] COPY --from=build /out/app /usr/local/bin/app\n#6 DONE 0.1s\n',
  '#7 [linux/amd64 stage-1 2/2] COPY --from=build /out/app /usr/local/bin/app\n#7 DONE 0.1s\n',
].join('\n');

/** The same build after the fix: the build stage runs once per target on the build platform. */
const CROSS = MULTI.replace('[linux/arm64 build 4/4]', '[linux/amd64->arm64 build 4/4]').replace('#5 DONE 95.3s', '#5 DONE 19.4s');

testAnalyzer(emulatedPlatform, {
  valid: [
    { name: 'no sign of a multi-platform build: nothing to say', dockerfile: GO },
    { name: 'a single-platform build (no platform prefixes)', dockerfile: GO, log: '#1 [build 4/4] RUN go build -o /out/app .\n#1 DONE 18.9s\n' },
    {
      name: 'already on the build platform, cross-compiling',
      dockerfile: 'FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nARG TARGETOS TARGETARCH\nCOPY . .\nRUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .\nFROM alpine:3.19\nCOPY --from=build /out/app /app\n',
      log: CROSS,
    },
    {
      name: 'a stage whose node_modules are copied out: native modules belong to the target',
      dockerfile: 'FROM node:22 AS deps\nARG TARGETARCH\nCOPY . .\nRUN npm ci && npm run build\nFROM node:22-slim\nCOPY --from=deps /node_modules /node_modules\n',
    },
    {
      name: 'built FROM a stage on the build platform: it runs there too',
      dockerfile: 'FROM --platform=$BUILDPLATFORM node:20 AS deps\nCOPY package.json ./\nRUN npm ci\nFROM deps AS build\nCOPY . .\nRUN npm run build\nFROM nginx:1.27\nCOPY --from=build /dist /usr/share/nginx/html\n',
    },
    { name: 'cgo needs a C cross-compiler', dockerfile: 'FROM golang:1.22 AS build\nARG TARGETARCH\nRUN CGO_ENABLED=1 go build -o /app .\nFROM debian:12\nCOPY --from=build /app /app\n' },
    { name: 'a stage that installs OS packages is platform-specific', dockerfile: 'FROM debian:12 AS base\nARG TARGETARCH\nRUN apt-get update && apt-get install -y curl\nFROM base\nRUN echo hi\n' },
  ],
  invalid: [
    {
      name: 'the build shows two platforms: the go stage is emulated, priced by the emulated copy',
      dockerfile: GO,
      log: MULTI,
      findings: [{
        rule: 'emulated-platform',
        severity: 'warning',
        line: 1,
        costMs: 76400,
        message: 'Stage `build` (`go build -o /out/app .`, line 4) is built once per target platform (this build: linux/amd64, linux/arm64): on a builder of another architecture its steps run under emulation; in this build the emulated copies took 1m16s more than the fastest platform\'s. What it makes does not depend on the platform it runs on: run it on the build platform and build for the target from there.',
        suggestion: 'Run the stage on the build platform and cross-compile:\nFROM --platform=$BUILDPLATFORM golang:1.22 AS build\nARG TARGETOS TARGETARCH\nRUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .',
      }],
      output: null,
    },
    {
      name: 'no build, but the Dockerfile is made for several platforms (TARGETARCH): a JS bundle stage',
      dockerfile: 'FROM node:22 AS web\nWORKDIR /web\nCOPY . .\nRUN npm ci && npm run build\nFROM nginx:1.27\nARG TARGETARCH\nCOPY --from=web /web/dist /usr/share/nginx/html\n',
      findings: [{ line: 1, message: s(/^Stage `web` \(`npm run build`, line 4\) is built once per target platform: on a builder/), suggestion: 'Run the stage on the build platform (its output is the same for every target):\nFROM --platform=$BUILDPLATFORM node:22 AS web' }],
    },
    {
      name: 'a single-stage image that compiles for several platforms: split it',
      dockerfile: 'FROM golang:1.22\nARG TARGETARCH\nWORKDIR /src\nCOPY . .\nRUN go build -o /usr/local/bin/app .\nCMD ["app"]\n',
      findings: [{ messageId: 'finalStage', line: 1, suggestion: s('FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nARG TARGETOS TARGETARCH\nARG TARGETARCH\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /usr/local/bin/app .\n\nFROM golang:1.22\nCOPY --from=build') }],
    },
    {
      name: 'a jar built in a maven stage',
      dockerfile: 'FROM maven:3.9 AS build\nCOPY . .\nRUN mvn -B package\nFROM eclipse-temurin:21-jre\nARG TARGETPLATFORM\nCOPY --from=build /target/app.jar /app.jar\n',
      findings: [{ line: 1, message: s('Stage `build` (`mvn -B package`, line 3)') }],
    },
  ],
});

describe('targetPlatforms', () => {
  it('reads the platform prefixes; a cross stage counts for its target', () => {
    expect(targetPlatforms(parseLog(MULTI))).toEqual(['linux/amd64', 'linux/arm64']);
    expect(targetPlatforms(parseLog(CROSS))).toEqual(['linux/amd64', 'linux/arm64']);
    expect(targetPlatforms(parseLog('#1 [build 1/2] RUN make\n#1 DONE 1.0s\n'))).toEqual([]);
  });

  it('real multi-platform logs: the repository fixture, and the real single-platform arm64 log that has no prefix', () => {
    const fixture = readFileSync(join(process.cwd(), 'test/fixtures/plain/multi-platform.log'), 'utf8');
    expect(targetPlatforms(parseLog(fixture))).toEqual(['linux/amd64', 'linux/arm64']);
    const real = join(process.cwd(), '..', 'shared', 'real-logs', '02-error-excerpt-qemu-arm64-timestamps.txt');
    if (existsSync(real)) expect(targetPlatforms(parseLog(readFileSync(real, 'utf8')))).toEqual([]);
  });
});
