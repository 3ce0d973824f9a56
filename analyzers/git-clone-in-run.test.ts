import { gitCloneInRun } from './git-clone-in-run.js';
import { testAnalyzer } from '../test/analyzer-tester.js';

const s = (x: string) => expect.stringContaining(x) as unknown as string;

testAnalyzer(gitCloneInRun, {
  valid: [
    { name: 'a clone pinned by a later checkout of a commit', dockerfile: 'FROM alpine/git\nRUN git clone https://github.com/org/repo.git /src && cd /src && git checkout 3f2c1a9b8e7d6c5b4a39281706f5e4d3c2b1a098\n' },
    { name: 'a clone of a version tag, or of a ref from an ARG', dockerfile: 'FROM alpine/git\nARG REF\nRUN git clone --depth 1 --branch v1.2.3 https://github.com/org/repo.git\nRUN git clone -b "$REF" https://github.com/org/other.git\n' },
    { name: 'git checkout -C dir with a commit', dockerfile: 'FROM alpine/git\nRUN git clone https://x.org/r.git /r && git -C /r reset --hard abc1234\n' },
    { name: 'a checkout of tags/v1.2.3 or of $COMMIT', dockerfile: 'FROM alpine/git\nARG COMMIT\nRUN git clone https://x.org/r.git && cd r && git checkout tags/v1.2.3\nRUN git clone https://x.org/s.git && git -C s checkout $COMMIT\n' },
    { name: 'ADD of a Git repository, other git commands', dockerfile: 'FROM alpine/git\nADD https://github.com/org/repo.git#main /src\nRUN git config --global user.name x && git init /x\n' },
  ],
  invalid: [
    {
      name: 'a clone of the default branch: ADD <url> <dir> as a suggestion, no fix',
      dockerfile: 'FROM alpine/git\nWORKDIR /src\nRUN git clone --depth 1 https://github.com/org/repo.git && make -C repo\n',
      findings: [
        {
          rule: 'git-clone-in-run',
          messageId: 'clone',
          severity: 'warning',
          line: 3,
          message:
            '`git clone --depth 1 https://github.com/org/repo.git` clones the default branch in a RUN: BuildKit caches the RUN on its text, so this layer keeps the commit it cloned first and never sees a new one, until something above it changes and it re-clones the whole repository.',
          suggestion:
            'Let BuildKit fetch it: it resolves the ref on every build, re-runs what follows only when the commit changed, and needs no git in the image:\nADD https://github.com/org/repo.git repo\nOr pin a commit (`ADD https://github.com/org/repo.git#<commit> repo`, or `git checkout <commit>` in this RUN), so that keeping the cached layer is right.',
        },
      ],
      output: null,
    },
    {
      name: 'a branch, a target directory after cd, a URL without .git, an SSH URL',
      dockerfile: 'FROM alpine/git\nRUN cd /opt && git clone -b main https://github.com/org/tool tool-src\nRUN git clone git@github.com:org/private.git /p\n',
      findings: [
        { line: 2, message: s('clones branch `main`'), suggestion: s('ADD https://github.com/org/tool.git#main /opt/tool-src\n') },
        {
          line: 3,
          suggestion: s('ADD git@github.com:org/private.git /p\nOr pin a commit (`ADD git@github.com:org/private.git#<commit> /p`, or `git checkout <commit>` in this RUN), so that keeping the cached layer is right.\nAn SSH URL needs the agent passed to the build: `docker build --ssh default …`.'),
        },
      ],
    },
    {
      name: 'a clone checked out at a branch name is not pinned; with a build: costMs',
      dockerfile: 'FROM alpine/git\nRUN git clone https://example.org/r.git /r && git -C /r checkout develop\n',
      log: ['#1 [1/2] FROM docker.io/alpine/git:latest', '#1 DONE 0.1s', '', '#2 [2/2] RUN git clone https://example.org/r.git /r && git -C /r checkout develop', '#2 DONE 4.5s', ''].join('\n'),
      findings: [{ line: 2, costMs: 4500 }],
    },
  ],
});
