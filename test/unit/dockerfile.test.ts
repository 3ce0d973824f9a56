import { readFileSync } from 'node:fs';
import { instructionBody, parseDockerfile, type Instruction } from '../../src/core/dockerfile.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/dockerfiles/${name}`, import.meta.url), 'utf8');

function at(instructions: Instruction[], line: number): Instruction {
  const ins = instructions.find((i) => i.line === line);
  if (!ins) throw new Error(`no instruction on line ${line}`);
  return ins;
}

describe('parseDockerfile on a real-world multi-stage file', () => {
  const df = parseDockerfile(fixture('real-world.Dockerfile'));

  it('reads directives and the default escape char', () => {
    expect(df.directives).toEqual({ syntax: 'docker/dockerfile:1.7' });
    expect(df.escapeChar).toBe('\\');
  });

  it('lists every instruction with its first and last line', () => {
    expect(df.instructions.map((i) => [i.keyword, i.line, i.endLine])).toEqual([
      ['ARG', 3, 3], ['ARG', 4, 4],
      ['FROM', 6, 6], ['WORKDIR', 7, 7], ['COPY', 8, 8], ['RUN', 9, 9],
      ['FROM', 11, 11], ['COPY', 12, 12], ['RUN', 13, 14], ['RUN', 15, 18],
      ['FROM', 20, 20], ['RUN', 21, 27], ['COPY', 28, 30], ['COPY', 31, 31], ['COPY', 32, 32],
      ['ENV', 33, 33], ['ENTRYPOINT', 34, 34], ['CMD', 35, 35],
    ]);
  });

  it('puts global ARGs outside any stage and the rest in their stage', () => {
    expect(df.instructions.map((i) => i.stageIndex)).toEqual([null, null, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2]);
  });

  it('names stages as written and as BuildKit prints them', () => {
    expect(df.stages.map((s) => [s.index, s.name, s.buildkitName, s.baseImage, s.platform, s.line, s.instructions.length])).toEqual([
      [0, 'deps', 'deps', 'node:${NODE_VERSION}-bookworm', '$BUILDPLATFORM', 6, 4],
      [1, 'build', 'build', 'deps', null, 11, 4],
      [2, null, 'stage-2', '${BASE}', null, 20, 8],
    ]);
  });

  it('joins continuation lines, dropping comment and blank lines, and collapses whitespace', () => {
    expect(at(df.instructions, 13).text).toBe('RUN npm run build && npm prune --omit=dev');
    expect(at(df.instructions, 21).text).toBe(
      'RUN apt-get update && apt-get install -y --no-install-recommends tini ca-certificates && rm -rf /var/lib/apt/lists/*',
    );
  });

  it('reads flags, repeated or valueless', () => {
    expect(at(df.instructions, 9).flags).toEqual({ mount: ['type=cache,target=/root/.npm'] });
    expect(at(df.instructions, 31).flags).toEqual({ from: ['build'], chown: ['node:node'] });
    expect(at(df.instructions, 32).flags).toEqual({ link: [''], chmod: ['755'] });
    expect(at(df.instructions, 6).flags).toEqual({ platform: ['$BUILDPLATFORM'] });
  });

  it('keeps flags in args and text, as written', () => {
    const copy = at(df.instructions, 31);
    expect(copy.text).toBe('COPY --from=build --chown=node:node /app/dist /srv/dist');
    expect(instructionBody(copy)).toBe('/app/dist /srv/dist');
  });

  it('reads heredocs: the instruction line as text, bodies apart, terminator in the line range', () => {
    const run = at(df.instructions, 15);
    expect([run.text, run.heredocs, run.heredocBodies]).toEqual([
      'RUN <<EOF', ['EOF'], ['set -e\necho "built at $(date)" > /app/BUILD'],
    ]);
    const copy = at(df.instructions, 28);
    expect([copy.text, copy.endLine, copy.heredocs, copy.heredocBodies]).toEqual(['COPY <<EOF /etc/app.conf', 30, ['EOF'], ['port=8080']]);
  });

  it('tells exec form from shell form', () => {
    expect(at(df.instructions, 34).jsonForm).toBe(true);
    expect(at(df.instructions, 35).jsonForm).toBe(true);
    expect(at(df.instructions, 9).jsonForm).toBe(false);
    expect(at(df.instructions, 15).jsonForm).toBe(false);
  });
});

describe('parseDockerfile with `# escape=`` and CRLF line endings', () => {
  const df = parseDockerfile(fixture('escape-backtick.Dockerfile'));

  it('uses the backtick as escape char and keeps backslashes literal', () => {
    expect(df.escapeChar).toBe('`');
    expect(df.directives).toEqual({ escape: '`' });
    expect(df.instructions.map((i) => [i.line, i.endLine, i.text])).toEqual([
      [2, 2, 'FROM mcr.microsoft.com/windows/servercore:ltsc2022'],
      [3, 3, 'SHELL ["powershell", "-Command"]'],
      [4, 5, 'RUN Write-Host one; Write-Host two'],
      [6, 6, 'COPY app C:\\app'],
      [7, 7, 'WORKDIR C:\\app'],
    ]);
  });

  it('names a single unnamed stage null', () => {
    expect(df.stages).toHaveLength(1);
    expect(df.stages[0]?.buildkitName).toBeNull();
  });
});

describe('parseDockerfile edge cases', () => {
  it('joins lines without adding a space, as BuildKit does', () => {
    expect(parseDockerfile('FROM a\nRUN echo ab\\\ncd\n').instructions[1]?.text).toBe('RUN echo abcd');
  });

  it('continues across a blank line into the next line, as BuildKit does', () => {
    const df = parseDockerfile('FROM a\nRUN echo hi \\\n\nRUN next\nRUN last\n');
    expect(df.instructions.map((i) => [i.line, i.endLine, i.text])).toEqual([
      [1, 1, 'FROM a'], [2, 4, 'RUN echo hi RUN next'], [5, 5, 'RUN last'],
    ]);
  });

  it('ends a heredoc left open at the end of the file on the last line', () => {
    const run = parseDockerfile('FROM a\nRUN <<EOF\necho hi\n').instructions[1];
    expect([run?.line, run?.endLine, run?.heredocBodies]).toEqual([2, 3, ['echo hi']]);
  });

  it('does not read heredoc bodies as instructions', () => {
    const df = parseDockerfile('FROM a\nRUN <<EOF\nFROM x\nRUN y\nEOF\nRUN z\n');
    expect(df.instructions.map((i) => [i.line, i.text])).toEqual([[1, 'FROM a'], [2, 'RUN <<EOF'], [6, 'RUN z']]);
    expect(df.stages).toHaveLength(1);
  });

  it('reads several heredocs, `<<-` tab stripping and quoted delimiters', () => {
    const df = parseDockerfile('FROM a\nRUN <<-"A" <<B\n\tone\n\tA\ntwo\nB\nADD <<X /x\nx\nX\n');
    expect(df.instructions.map((i) => [i.line, i.endLine, i.text, i.heredocs, i.heredocBodies])).toEqual([
      [1, 1, 'FROM a', undefined, undefined],
      [2, 6, 'RUN <<-"A" <<B', ['A', 'B'], ['one', 'two']],
      [7, 9, 'ADD <<X /x', ['X'], ['x']],
    ]);
  });

  it('reads a heredoc opened on a continuation line', () => {
    const run = parseDockerfile('FROM a\nRUN --mount=type=cache,target=/x \\\n  <<EOF\necho\nEOF\nRUN z\n').instructions[1];
    expect([run?.text, run?.line, run?.endLine, run?.flags, run?.heredocBodies]).toEqual([
      'RUN --mount=type=cache,target=/x <<EOF', 2, 5, { mount: ['type=cache,target=/x'] }, ['echo'],
    ]);
  });

  it('upper-cases keywords and reads indented instructions', () => {
    const ins = parseDockerfile('from a as Build\n   run   make   all\n').instructions;
    expect(ins.map((i) => [i.keyword, i.text, i.line])).toEqual([['FROM', 'FROM a as Build', 1], ['RUN', 'RUN make all', 2]]);
  });

  it('reads repeated --mount flags spread over continuation lines', () => {
    const run = parseDockerfile('FROM a\nRUN --mount=type=cache,target=/go/pkg/mod \\\n    --mount=type=cache,target=/root/.cache/go-build \\\n    go build ./...\n').instructions[1];
    expect(run?.flags).toEqual({ mount: ['type=cache,target=/go/pkg/mod', 'type=cache,target=/root/.cache/go-build'] });
    expect(run && instructionBody(run)).toBe('go build ./...');
  });

  it('lower-cases the BuildKit stage name; a single named stage prints no name', () => {
    expect(parseDockerfile('FROM a AS Builder\nFROM b\n').stages.map((s) => s.buildkitName)).toEqual(['builder', 'stage-1']);
    expect(parseDockerfile('FROM a AS builder\nRUN x\n').stages[0]?.buildkitName).toBeNull();
  });

  it('names a single stage when COPY --from an image adds a second build state', () => {
    expect(parseDockerfile('FROM a\nCOPY --from=nginx:1 /etc/nginx /etc/nginx\n').stages[0]?.buildkitName).toBe('stage-0');
    expect(parseDockerfile('FROM a AS one\nRUN --mount=from=busybox,target=/bb ls /bb\n').stages[0]?.buildkitName).toBe('one');
  });

  it('reads exec form only when the JSON parses', () => {
    const ins = parseDockerfile('FROM a\nCMD ["a", "b"]\nCMD [not json]\nRUN --network=none ["x"]\n').instructions;
    expect(ins.map((i) => i.jsonForm)).toEqual([false, true, false, true]);
  });

  it('reads directives only at the very top', () => {
    expect(parseDockerfile('\n# escape=`\nFROM a\n').escapeChar).toBe('\\');
    expect(parseDockerfile('# syntax=docker/dockerfile:1\n# check=skip=all\nFROM a\n').directives).toEqual({
      syntax: 'docker/dockerfile:1', check: 'skip=all',
    });
  });

  it('handles an empty file', () => {
    expect(parseDockerfile('')).toEqual({ instructions: [], stages: [], escapeChar: '\\', directives: {} });
  });
});
