import { contextSecret } from './context-secret.js';
import { testAnalyzer } from '../test/analyzer-tester.js';

const f = (path: string, size = 10, content?: string) => (content === undefined ? { path, size } : { path, size, content });

testAnalyzer(contextSecret, {
  valid: [
    { name: 'no secrets', context: [f('src/index.js'), f('.env.example')] },
    { name: 'secrets kept out by the .dockerignore', context: [{ path: '.dockerignore', size: 10, content: '.env*\n**/*.pem\n' }, f('.env'), f('certs/tls.pem')] },
    { name: 'an .npmrc without a token', context: [f('.npmrc', 20, 'registry=https://r.example/\n')] },
  ],
  invalid: [
    {
      name: 'COPY . . puts .env in the image',
      dockerfile: 'FROM node:20\nWORKDIR /app\nCOPY . .\n',
      context: [f('.env', 12), f('src/index.js')],
      findings: [{
        rule: 'context-secret', messageId: 'copiedIntoImage', file: 'Dockerfile', line: 3,
        message: '.env (environment file) is copied into the image by `COPY . .`: anyone who can pull the image can read it, even if a later step deletes it.',
        suggestion: expect.stringContaining('--mount=type=secret,id=env') as unknown as string,
      }],
    },
    {
      name: 'a token in .npmrc, only in the context (BuildKit does not send it here)',
      dockerfile: 'FROM node:20\nCOPY package.json ./\n',
      context: [f('.npmrc', 30, '//registry.npmjs.org/:_authToken=abc\n'), f('package.json')],
      findings: [{ messageId: 'inContext', file: '.dockerignore', line: null }],
    },
    {
      name: 'an SSH key copied by a directory source',
      dockerfile: 'FROM alpine\nCOPY deploy/ /deploy/\n',
      context: [f('deploy/id_ed25519', 400), f('deploy/id_ed25519.pub', 100)],
      findings: [{ messageId: 'copiedIntoImage', line: 2, message: expect.stringContaining('deploy/id_ed25519 (SSH private key)') as unknown as string }],
    },
  ],
});
