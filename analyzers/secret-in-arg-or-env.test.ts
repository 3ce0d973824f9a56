import { secretInArgOrEnv, secretName } from './secret-in-arg-or-env.js';
import { runCase, testAnalyzer } from '../test/analyzer-tester.js';

const s = (x: string) => expect.stringContaining(x) as unknown as string;

testAnalyzer(secretInArgOrEnv, {
  valid: [
    { name: 'ordinary ARGs and ENVs', dockerfile: 'ARG NODE_VERSION=22\nFROM node:${NODE_VERSION}\nARG GIT_SHA\nENV NODE_ENV=production PATH=/app/bin:$PATH\n' },
    { name: 'a public GPG key fingerprint (python image)', dockerfile: 'FROM debian:12\nENV GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D\nENV GPG_KEYS 7169605F62C751356D054A26A821E680E5FA6305\n' },
    { name: 'names that describe a credential rather than hold it', dockerfile: 'FROM x\nARG TOKEN_URL=https://auth.example.com/token\nENV PASSWORD_FILE=/run/secrets/db\nARG SECRET_NAME=db\nARG AWS_ACCESS_KEY_ID\nENV API_KEY_HEADER=X-Api-Key\nARG PUBLIC_KEY\n' },
    { name: 'a flag about a secret (Rails: SECRET_KEY_BASE_DUMMY)', dockerfile: 'FROM ruby:3.3\nARG SECRET_KEY_BASE_DUMMY=1\nENV PYTHONDONTWRITEBYTECODE=1 NODE_OPTIONS=--max-old-space-size=4096\n' },
    { name: 'an empty ENV, or one pointing at a secret file', dockerfile: 'FROM x\nENV DB_PASSWORD=""\nENV NPM_TOKEN=/run/secrets/npm\n' },
    { name: 'a secret mount', dockerfile: 'FROM node:22\nRUN --mount=type=secret,id=npm_token NPM_TOKEN="$(cat /run/secrets/npm_token)" npm ci\n' },
  ],
  invalid: [
    {
      name: 'ARG NPM_TOKEN used by npm ci: the secret mount, with the RUN that reads it; no value printed',
      dockerfile: 'FROM node:22\nARG NPM_TOKEN\nRUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc && npm ci\n',
      findings: [
        {
          rule: 'secret-in-arg-or-env',
          messageId: 'arg',
          severity: 'warning',
          line: 2,
          message:
            '`ARG NPM_TOKEN` looks like a credential: a build-arg value is written into the image history of every RUN after it (`docker history` shows `NPM_TOKEN=…`), into provenance attestations and into the cache key.',
          suggestion:
            'Pass it as a build secret, which never enters a layer, the history or the cache key:\nRUN --mount=type=secret,id=npm_token export NPM_TOKEN="$(cat /run/secrets/npm_token)" && echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc && npm ci\nand build with `docker build --secret id=npm_token,env=NPM_TOKEN …`. (The shorter `--mount=type=secret,id=npm_token,env=NPM_TOKEN` needs Dockerfile syntax 1.10; the built-in frontend of Docker 26 / BuildKit 0.13 refuses it.)',
        },
      ],
      output: null,
    },
    {
      name: 'ENV from an ARG, several names on one line, global ARGs, camelCase',
      dockerfile: 'ARG GITHUB_TOKEN\nFROM x\nARG AWS_SECRET_ACCESS_KEY DB_PASS\nENV GITHUB_TOKEN=$GITHUB_TOKEN\nENV apiKey=${API}\n',
      findings: [
        { line: 1, messageId: 'arg', message: s('`ARG GITHUB_TOKEN`') },
        { line: 3, messageId: 'arg', message: s('`ARG AWS_SECRET_ACCESS_KEY`') },
        { line: 3, messageId: 'arg', message: s('`ARG DB_PASS`') },
        { line: 4, messageId: 'env', message: s('`ENV GITHUB_TOKEN` looks like a credential: ENV is part of the image config') },
        { line: 5, messageId: 'env', message: s('`ENV apiKey`') },
      ],
    },
    {
      name: 'a value built from a variable is passed in, not written in the file',
      dockerfile: 'FROM x\nENV SECRET_KEY=${SECRET_KEY:-}\n',
      findings: [{ line: 2, messageId: 'env' }],
    },
    {
      name: 'a literal credential in the file (by name, or by what the value looks like under any name)',
      dockerfile: 'FROM x\nENV DB_PASSWORD=hunter2hunter2\nARG MIRROR=https://deploy:s3cretpass@pypi.example.com/simple\nENV CONFIG AKIAIOSFODNN7EXAMPLE\n',
      findings: [
        { line: 2, messageId: 'valueInFile', message: '`ENV DB_PASSWORD` is set to what looks like a credential, written in the Dockerfile itself: it is in the image config and in every copy of this file. Rotate it, and remove it from the file.' },
        { line: 3, messageId: 'valueInFile', message: s('looks like a URL with a password in it') },
        { line: 4, messageId: 'valueInFile', message: s('`ENV CONFIG` is set to what looks like an AWS access key') },
      ],
    },
    {
      name: 'a placeholder value is reported by name, without "rotate it"',
      dockerfile: 'FROM x\nENV SECRET_KEY_BASE=dummy\nARG API_TOKEN=<token>\n',
      findings: [
        { line: 2, messageId: 'env' },
        { line: 3, messageId: 'arg' },
      ],
    },
  ],
});

test('secret-in-arg-or-env: no message, suggestion or fix ever carries the value', () => {
  const values = ['hunter2hunter2', 's3cretpass', 'AKIAIOSFODNN7EXAMPLE', 'ghp_0123456789abcdefghijklmnopqrstuvwxyzAB'];
  const dockerfile = `FROM x\nENV DB_PASSWORD=${values[0]}\nARG MIRROR=https://u:${values[1]}@h/x\nENV CONFIG ${values[2]}\nARG GH_TOKEN=${values[3]}\nRUN use $GH_TOKEN\n`;
  const found = runCase(secretInArgOrEnv, { dockerfile });
  expect(found).toHaveLength(4);
  const text = JSON.stringify(found);
  for (const v of values) expect(text).not.toContain(v);
});

test('secret-in-arg-or-env: which names hold a credential', () => {
  for (const n of ['NPM_TOKEN', 'GH_TOKEN', 'AWS_SECRET_ACCESS_KEY', 'API_KEY', 'APIKEY', 'stripeApiKey', 'DB_PASSWORD', 'SSH_PRIVATE_KEY', 'NPM_CONFIG__AUTH', 'CLIENT_SECRET', 'GITHUB_PAT', 'REGISTRY_CREDENTIALS'])
    expect([n, secretName(n)]).toEqual([n, true]);
  for (const n of ['GPG_KEY', 'KEY', 'TOKEN_URL', 'PASSWORD_FILE', 'AWS_ACCESS_KEY_ID', 'PUBLIC_API_KEY', 'MONKEY', 'PASSTHROUGH', 'SECRETARY_NAME', 'NODE_VERSION', 'KEYCLOAK_HOST'])
    expect([n, secretName(n)]).toEqual([n, false]);
});
