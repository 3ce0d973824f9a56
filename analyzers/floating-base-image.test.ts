import { floatingBaseImage } from './floating-base-image.js';
import { testAnalyzer } from '../test/analyzer-tester.js';

const s = (x: string) => expect.stringContaining(x) as unknown as string;
const DIGEST = 'sha256:7c06e91f61fa88c08cc74f7e1b7c69ae24910d745357e0dfe1d2c0322aaf20f9';

testAnalyzer(floatingBaseImage, {
  valid: [
    { name: 'pinned by digest (with or without a tag)', dockerfile: `FROM node:22@${DIGEST}\nFROM ubuntu@${DIGEST} AS x\n` },
    { name: 'scratch, and stages built FROM earlier stages', dockerfile: `FROM golang:1.22@${DIGEST} AS Build\nFROM build AS test\nFROM scratch\nCOPY --from=build /app /app\n` },
    { name: 'an ARG without a default: chosen at build time', dockerfile: 'ARG BASE\nFROM $BASE\nARG TAG\nFROM node:${TAG}\n' },
    { name: 'an ARG whose default has a digest', dockerfile: `ARG BASE=node:22@${DIGEST}\nFROM \${BASE}\n` },
  ],
  invalid: [
    {
      name: 'a major-version tag: the digest line as a suggestion, no fix',
      dockerfile: 'FROM node:20 AS build\nRUN npm ci\nFROM build AS test\nFROM nginx:1.27-alpine\nCOPY --from=build /app /usr/share/nginx/html\n',
      findings: [
        {
          rule: 'floating-base-image',
          messageId: 'floating',
          severity: 'info',
          line: 1,
          message:
            '`FROM node:20` has no digest: the tag `20` moves whenever its publisher rebuilds the image. With the docker driver the local copy is reused until `--pull`; with `--pull`, or on a fresh CI runner, each republish re-runs every step of this stage and of the stage built FROM it.',
          suggestion:
            'Pin it by digest, keeping the tag for people to read, and let Renovate or Dependabot bump it:\nFROM node:20@sha256:<digest> AS build\n(`docker buildx imagetools inspect node:20` prints the digest.)',
        },
        { line: 4, message: s('`FROM nginx:1.27-alpine` has no digest: the tag `1.27-alpine` moves'), suggestion: s('FROM nginx:1.27-alpine@sha256:<digest>\n') },
      ],
      output: null,
    },
    {
      name: 'no tag: latest implied; --platform kept; a registry with a port is not a tag',
      dockerfile: 'FROM --platform=$BUILDPLATFORM localhost:5000/team/base\n',
      findings: [{ message: s('the tag `latest` (implied) moves'), suggestion: s('FROM --platform=$BUILDPLATFORM localhost:5000/team/base@sha256:<digest>') }],
    },
    {
      name: 'an ARG with a floating default: pin it in the ARG',
      dockerfile: 'ARG NODE_VERSION=22\nFROM node:${NODE_VERSION}-slim\n',
      findings: [{ line: 2, messageId: 'floating', message: s('`FROM node:22-slim` has no digest'), suggestion: 'Pin it where the image is chosen: give the ARG a value with a digest (`node:22-slim@sha256:<digest>`), or pass one with `--build-arg`.' }],
    },
    {
      name: 'with a build that printed the digest: the exact FROM line, and costMs of the steps a new base re-runs',
      dockerfile: 'FROM ubuntu:noble\nRUN apt-get update\nRUN make\n',
      log: [
        `#1 [1/3] FROM docker.io/library/ubuntu:noble@${DIGEST}`,
        '#1 DONE 2.1s',
        '',
        '#2 [2/3] RUN apt-get update',
        '#2 DONE 6.0s',
        '',
        '#3 [3/3] RUN make',
        '#3 DONE 14.0s',
        '',
      ].join('\n'),
      findings: [
        {
          line: 1,
          costMs: 20000,
          suggestion: `Pin it by the digest this build used, keeping the tag for people to read, and let Renovate or Dependabot bump it:\nFROM ubuntu:noble@${DIGEST}`,
        },
      ],
    },
  ],
});
