import { aptUpdateAlone } from './apt-update-alone.js';
import { testAnalyzer } from '../test/analyzer-tester.js';

testAnalyzer(aptUpdateAlone, {
  valid: [
    { name: 'update and install in one RUN', dockerfile: 'FROM debian:12\nRUN apt-get update && apt-get install -y curl\n' },
    {
      name: 'update and install across continuation lines',
      dockerfile: 'FROM debian:12\nRUN apt-get update \\\n && apt-get install -y --no-install-recommends \\\n      curl \\\n && rm -rf /var/lib/apt/lists/*\n',
    },
    { name: 'apt (not apt-get) in one RUN', dockerfile: 'FROM ubuntu:24.04\nRUN apt update; apt install -y git\n' },
    { name: 'options before the subcommand', dockerfile: 'FROM debian:12\nRUN apt-get -qq update && DEBIAN_FRONTEND=noninteractive apt-get -o Dpkg::Use-Pty=0 -y install curl\n' },
    { name: 'a heredoc script that updates and installs', dockerfile: 'FROM debian:12\nRUN <<EOF\nset -e\napt-get update\napt-get install -y curl\nEOF\n' },
    { name: 'exec form through sh -c', dockerfile: 'FROM debian:12\nRUN ["sh", "-c", "apt-get update && apt-get install -y curl"]\n' },
    { name: 'no apt at all', dockerfile: 'FROM node:20\nRUN npm ci\nRUN echo "apt-get update"\n' },
    { name: 'apk, not apt', dockerfile: 'FROM alpine:3.20\nRUN apk update\nRUN apk add curl\n' },
  ],
  invalid: [
    {
      name: 'update alone, install in the next RUN: fixed by merging',
      dockerfile: 'FROM debian:12\nRUN apt-get update\nRUN apt-get install -y curl nginx\nCMD ["nginx"]\n',
      findings: [
        {
          rule: 'apt-update-alone',
          messageId: 'beforeInstall',
          severity: 'warning',
          file: 'Dockerfile',
          line: 2,
          message:
            '`apt-get update` runs in a RUN of its own: that layer stays cached, so the `apt-get install` on line 3 installs from a stale package index. Update and install in the same RUN.',
        },
      ],
      output: 'FROM debian:12\nRUN apt-get update && \\\n    apt-get install -y curl nginx\nCMD ["nginx"]\n',
    },
    {
      name: 'multi-line install keeps its lines',
      dockerfile: 'FROM debian:12\n# refresh the index\nRUN apt-get update -qq\n  RUN apt-get install -y \\\n      curl \\\n      git\n',
      findings: [{ messageId: 'beforeInstall', line: 3 }],
      output: 'FROM debian:12\n# refresh the index\n  RUN apt-get update -qq && \\\n      apt-get install -y \\\n      curl \\\n      git\n',
    },
    {
      name: 'escape directive: the merged RUN continues with a backtick',
      dockerfile: '# escape=`\nFROM debian:12\nRUN apt-get update\nRUN apt-get install -y curl\n',
      findings: [{ line: 3 }],
      output: '# escape=`\nFROM debian:12\nRUN apt-get update && `\n    apt-get install -y curl\n',
    },
    {
      name: 'something between update and install: no fix',
      dockerfile: 'FROM debian:12\nRUN apt-get update\nENV DEBIAN_FRONTEND=noninteractive\nRUN apt-get install -y curl\n',
      findings: [{ messageId: 'beforeInstall', line: 2 }],
      output: null,
    },
    {
      name: 'a cache mount on either RUN: no fix',
      dockerfile:
        'FROM debian:12\nRUN --mount=type=cache,target=/var/lib/apt apt-get update\nRUN --mount=type=cache,target=/var/lib/apt apt-get install -y curl\n',
      findings: [{ messageId: 'beforeInstall', line: 2 }],
      output: null,
    },
    {
      name: 'update with other commands: reported, not fixed',
      dockerfile: 'FROM debian:12\nRUN apt-get update && apt-get upgrade -y\nRUN apt-get install -y curl\n',
      findings: [{ messageId: 'beforeInstall', line: 2 }],
      output: null,
    },
    {
      name: 'update without any install',
      dockerfile: 'FROM ubuntu:24.04\nRUN sudo apt update\nCOPY . /app\n',
      findings: [
        {
          messageId: 'alone',
          line: 2,
          message:
            '`sudo apt update` runs in a RUN without an install: that layer stays cached, so any later install uses a stale package index. Update and install in the same RUN.',
        },
      ],
      output: null,
    },
    {
      name: 'one finding per stage, in line order',
      dockerfile: 'FROM debian:12 AS a\nRUN apt-get update\nRUN apt-get install -y make\n\nFROM debian:12\nRUN <<EOF\napt-get update\nEOF\nRUN apt-get install -y curl\n',
      findings: [
        { line: 2, messageId: 'beforeInstall' },
        { line: 6, messageId: 'beforeInstall', message: expect.stringContaining('line 9') as unknown as string },
      ],
    },
  ],
});
