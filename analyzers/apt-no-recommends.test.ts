import { aptNoRecommends } from './apt-no-recommends.js';
import { testAnalyzer } from '../test/analyzer-tester.js';

testAnalyzer(aptNoRecommends, {
  valid: [
    { name: 'the flag is there', dockerfile: 'FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n' },
    {
      name: 'the flag on a continuation line',
      dockerfile: 'FROM debian:12\nRUN apt-get update \\\n && apt-get install -y \\\n      --no-install-recommends \\\n      curl\n',
    },
    {
      name: 'recommends switched off in apt.conf by the Dockerfile',
      dockerfile: 'FROM debian:12\nRUN echo \'APT::Install-Recommends "0";\' > /etc/apt/apt.conf.d/99norecommends\nRUN apt-get update && apt-get install -y curl\n',
    },
    { name: 'not an install', dockerfile: 'FROM debian:12\nRUN apt-get update && apt-get remove -y curl\nRUN apt-get purge -y vim\n' },
    { name: 'apk and dnf are not apt', dockerfile: 'FROM alpine:3.20\nRUN apk add curl\n' },
  ],
  invalid: [
    {
      name: 'install without the flag: a suggestion, never a fix',
      dockerfile: 'FROM debian:12\nRUN apt-get update && apt-get install -y curl nginx\n',
      findings: [
        {
          rule: 'apt-no-recommends',
          messageId: 'recommends',
          severity: 'info',
          file: 'Dockerfile',
          line: 2,
          message:
            '`apt-get install -y curl nginx` installs the recommended packages too, often as many again as the ones asked for: more to download, unpack and ship.',
          suggestion:
            'Add `--no-install-recommends` to `apt-get install -y curl nginx`, and name any recommended package the image relies on (often `ca-certificates`) in the install.',
        },
      ],
      output: null,
    },
    {
      name: 'one finding per install, apt and sudo apt-get, heredoc and exec form',
      dockerfile:
        'FROM ubuntu:24.04\nRUN apt update && apt install -y git\nRUN <<EOF\napt-get update\nsudo DEBIAN_FRONTEND=noninteractive apt-get -y install make\nEOF\nRUN ["sh", "-c", "apt-get install -y --no-install-recommends gcc && apt-get install -y g++"]\n',
      findings: [
        { line: 2, message: expect.stringContaining('`apt install -y git`') as unknown as string },
        { line: 3, message: expect.stringContaining('`sudo DEBIAN_FRONTEND=noninteractive apt-get -y install make`') as unknown as string },
        { line: 7, message: expect.stringContaining('`apt-get install -y g++`') as unknown as string },
      ],
      output: null,
    },
    {
      name: 'a long command is shortened in the message',
      dockerfile: 'FROM debian:12\nRUN apt-get install -y build-essential pkg-config libssl-dev libpq-dev git curl wget\n',
      findings: [{ line: 2, message: expect.stringContaining('`apt-get install -y build-essential pkg-config libssl-dev li…`') as unknown as string }],
    },
  ],
});
