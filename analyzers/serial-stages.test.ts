import { serialStages } from './serial-stages.js';
import { testAnalyzer } from '../test/analyzer-tester.js';

/** A plain BuildKit log: one block per step, `[name, seconds | 'CACHED']`. */
function log(steps: Array<[string, number | 'CACHED']>): string {
  return steps.map(([name, t], i) => `#${i + 1} ${name}\n#${i + 1} ${t === 'CACHED' ? 'CACHED' : `DONE ${t.toFixed(1)}s`}\n`).join('\n');
}

const TWO = 'FROM localbase/toolchains\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY requirements.txt ./\nRUN pip install -r requirements.txt\nCOPY . .\nCMD ["python", "app.py"]\n';

testAnalyzer(serialStages, {
  valid: [
    { name: 'one ecosystem', dockerfile: 'FROM node:22\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\n' },
    { name: 'two installs of the same ecosystem', dockerfile: 'FROM python:3.12\nCOPY requirements.txt dev.txt ./\nRUN pip install -r requirements.txt\nRUN pip install -r dev.txt\n' },
    { name: 'an OS install is a prerequisite, not independent work', dockerfile: 'FROM python:3.12\nRUN apt-get update && apt-get install -y gcc\nCOPY requirements.txt ./\nRUN pip install -r requirements.txt\n' },
    { name: 'the second install needs the sources (go build): it may read what the first wrote', dockerfile: 'FROM golang:1.23\nCOPY package.json ./\nRUN npm ci\nCOPY . .\nRUN go build -o /app .\n' },
    { name: 'a RUN that installs and builds is not a pure install', dockerfile: 'FROM node:22\nCOPY package.json requirements.txt ./\nRUN npm ci && npm run build\nRUN pip install -r requirements.txt\n' },
    { name: 'already separate stages', dockerfile: 'FROM node:22 AS web\nCOPY package.json ./\nRUN npm ci\nFROM python:3.12\nCOPY requirements.txt ./\nRUN pip install -r requirements.txt\nCOPY --from=web /node_modules /node_modules\n' },
    { name: 'npm and yarn share node_modules', dockerfile: 'FROM node:22\nCOPY package.json yarn.lock ./\nRUN yarn install\nRUN npm ci\n' },
  ],
  invalid: [
    {
      name: 'npm and pip one after the other, no build known: no cost',
      dockerfile: TWO,
      findings: [{
        rule: 'serial-stages',
        severity: 'info',
        line: 6,
        message: '`npm ci` (line 4) and `pip install -r requirements.txt` (line 6) run one after the other in the stage, though each reads only its own manifests and none needs what another installs. As stages of their own, joined by `COPY --from`, BuildKit builds them at the same time.',
        suggestion: expect.stringContaining('FROM localbase/toolchains AS npm-deps\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\n\nFROM localbase/toolchains AS pip-deps\nWORKDIR /app\nCOPY requirements.txt ./\nRUN pip install -r requirements.txt\n') as unknown as string,
      }],
      output: null,
    },
    {
      name: 'with the build: the saving is the sum less the longest',
      dockerfile: TWO,
      log: log([['[1/7] FROM docker.io/localbase/toolchains', 0.1], ['[2/7] WORKDIR /app', 0.0], ['[3/7] COPY package.json package-lock.json ./', 0.1], ['[4/7] RUN npm ci', 12.0], ['[5/7] COPY requirements.txt ./', 0.1], ['[6/7] RUN pip install -r requirements.txt', 8.0], ['[7/7] COPY . .', 0.1]]),
      findings: [{ line: 6, costMs: 8000, message: expect.stringContaining('`npm ci` (line 4, 12.0s) and `pip install -r requirements.txt` (line 6, 8.0s)') as unknown as string }],
    },
    {
      name: 'a cached build without history cannot say what it would save',
      dockerfile: TWO,
      log: log([['[4/7] RUN npm ci', 'CACHED'], ['[6/7] RUN pip install -r requirements.txt', 'CACHED']]),
      findings: [{ line: 6, message: expect.not.stringMatching(/less per cold build|\d\.\ds/) as unknown as string }],
    },
    {
      name: 'three ecosystems in a named stage',
      dockerfile: 'FROM localbase/toolchains AS app\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY package.json ./\nRUN npm install\nCOPY Gemfile Gemfile.lock ./\nRUN bundle install\n',
      findings: [{ line: 5, message: expect.stringMatching(/^`go mod download` \(line 3\), `npm install` \(line 5\) and `bundle install` \(line 7\) run one after the other in stage `app`/) as unknown as string }],
    },
  ],
});
