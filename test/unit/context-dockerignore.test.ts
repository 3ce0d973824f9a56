// The .dockerignore matcher on its own: Go's path cleaning, how lines are read, and the quirks of
// moby/patternmatcher and fsutil's walk that it reproduces (proved on the engine by
// test/integration/dockerignore.test.ts).
import { Dockerignore, DockerignoreError, cleanPath, globSyntaxError, parseDockerignore } from '../../src/core/dockerignore.js';

const excluded = (ignore: string, path: string) => !Dockerignore.parse(ignore).includes(path);

describe('cleanPath (Go filepath.Clean)', () => {
  it.each([
    ['', '.'], ['.', '.'], ['./x', 'x'], ['/x', '/x'], ['a/../b', 'b'], ['a//b/', 'a/b'], ['../x', '../x'],
    ['/../x', '/x'], ['a/b/../..', '.'], ['a/./b/.', 'a/b'], ['..', '..'], ['a/../../b', '../b'],
  ])('%j -> %j', (input, out) => {
    expect(cleanPath(input)).toBe(out);
  });
});

describe('parseDockerignore', () => {
  it('reads lines as ignorefile.ReadAll does', () => {
    const p = parseDockerignore('\uFEFFtest1\n/test2\n/a/file/here\n\nlastfile\n# a comment\n  # not a comment\n! /inverted/abs/path\r\nx/../y\n');
    expect(p.map((x) => (x.exception ? '!' : '') + x.pattern)).toEqual(['test1', 'test2', 'a/file/here', 'lastfile', '# not a comment', '!inverted/abs/path', 'y']);
    expect(p.map((x) => x.line)).toEqual([1, 2, 3, 5, 7, 8, 9]);
  });

  it('rejects what docker build rejects', () => {
    expect(() => parseDockerignore('ok\n!\n')).toThrow(DockerignoreError);
    expect(() => parseDockerignore('[')).toThrow(/line 1/);
    expect(() => parseDockerignore('a\\')).toThrow(DockerignoreError);
    expect(globSyntaxError('[]a]')).not.toBeNull();
    expect(globSyntaxError('[a-]')).not.toBeNull();
    expect(globSyntaxError('[!a]*.txt')).toBeNull();
    expect(globSyntaxError('[[:digit:]]*')).toBeNull();
  });
});

describe('matching', () => {
  it.each([
    // pattern, path, excluded
    ['*.log', 'app.log', true],
    ['*.log', 'src/app.log', false],
    ['**/*.log', 'src/deep/app.log', true],
    ['node_modules', 'node_modules/a/b.js', true],
    ['dist/', 'dist/x', true],
    ['**.log', 'src/app.log', true], // suffix match: ** glued to text
    ['**.log', 'x.log', true],
    ['src/**.js', 'src/index.js', false], // (.*/)?\.js: only `.js` itself
    ['src/**.js', 'src/.js', true],
    ['x**', 'xfoo', true], // prefix match
    ['x**', 'x/y/z', true],
    ['**foo', 'xfoo', true],
    ['a**b', 'axb', false],
    ['a**b', 'ab', true],
    ['a**b', 'a/x/b', true],
    ['weird^*', 'weird^name.txt', false], // ^ stays a regexp anchor
    ['weird^name.txt', 'weird^name.txt', true],
    ['a+b(c)*', 'a+b(c)|{d}$.txt', true],
    ['[brackets].txt', 's.txt', true],
    ['[brackets].txt', '[brackets].txt', false],
    ['\\[brackets\\].txt', '[brackets].txt', true],
    ['star\\*.txt', 'star*.txt', true],
    ['star\\*.txt', 'starx.txt', false],
    ['[!a]*.txt', 'a.txt', true], // a class of ! and a, not a negation
    ['[!a]*.txt', 'b.txt', false],
    ['[^a]*.txt', 'b.txt', true],
    ['[[:digit:]]*', '1-digit.txt', true],
    ['unicode-?.txt', 'unicode-é.txt', true],
    ['\\#hash.txt', '#hash.txt', true],
    ['*.TXT', 'a.txt', false],
    ['**', 'anything/at/all', true],
    ['/', 'x', false],
    ['.', 'x', false],
  ])('%s on %s: %s', (pattern, path, out) => {
    expect(excluded(pattern, path)).toBe(out);
  });

  it('re-includes with ! and the last match wins', () => {
    const di = Dockerignore.parse('node_modules\n!node_modules/pkg/README.md\n');
    expect(di.includes('node_modules/pkg/README.md')).toBe(true);
    expect(di.includes('node_modules/pkg/index.js')).toBe(false);
    expect(excluded('x\n!x/y\nx/y/z\n', 'x/y/keep.txt')).toBe(false);
    expect(excluded('x\n!x/y\nx/y/z\n', 'x/y/z/deep.txt')).toBe(true);
  });

  it('follows the walker, not a path-by-path match, where they differ', () => {
    // patternmatcher.MatchesUsingParentResults: the third `a` was skipped for the directory `a`
    // (already excluded then), so it is not inherited by `a/b/...`, which the exception keeps.
    expect(excluded('a\n!a/b\na\n', 'a/b/c/d.txt')).toBe(false);
    // An exception before the exclude it should undo is lost: `x/y` is pruned.
    expect(Dockerignore.parse('x/y\n!x\n').status('x/y/keep.txt')).toBe('pruned');
  });

  it('prunes excluded directories only when no exception can reach inside', () => {
    expect(Dockerignore.parse('node_modules\n').prunes('node_modules')).toBe(true);
    expect(Dockerignore.parse('node_modules\n!node_modules/pkg/README.md\n').prunes('node_modules')).toBe(false);
    expect(Dockerignore.parse('node_modules\n!src/x\n').prunes('node_modules')).toBe(true);
    expect(Dockerignore.parse('node_modules\n!**/*.md\n').prunes('node_modules')).toBe(false);
    expect(Dockerignore.parse('x\n!x/y/*\n').prunes('x')).toBe(false);
  });
});
