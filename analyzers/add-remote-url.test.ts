import { addRemoteUrl } from './add-remote-url.js';
import { testAnalyzer } from '../test/analyzer-tester.js';

const s = (x: string) => expect.stringContaining(x) as unknown as string;

testAnalyzer(addRemoteUrl, {
  valid: [
    { name: 'with --checksum', dockerfile: 'FROM busybox\nADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/tool-1.2.3.tar.gz /tmp/\n' },
    { name: 'a local file', dockerfile: 'FROM busybox\nADD app.tar.gz /srv/\nADD ./conf /etc/app\n' },
    { name: 'a Git repository (a Git source, not a file download)', dockerfile: 'FROM busybox\nADD https://github.com/moby/buildkit.git#v0.13.0 /src\nADD git@github.com:org/repo.git /r\n' },
    { name: 'COPY never fetches URLs', dockerfile: 'FROM busybox\nCOPY --from=build /out /out\n' },
  ],
  invalid: [
    {
      name: 'ADD of an https URL: the checksum line as a suggestion, no fix',
      dockerfile: 'FROM busybox\nADD https://example.com/tool-1.2.3.tar.gz /tmp/\nRUN tar -xzf /tmp/tool-1.2.3.tar.gz\n',
      findings: [
        {
          rule: 'add-remote-url',
          messageId: 'noChecksum',
          severity: 'warning',
          line: 2,
          message:
            '`ADD https://example.com/tool-1.2.3.tar.gz` has no `--checksum`: BuildKit asks the server on every build whether the file changed, and when it did this step and every later one of the stage re-run with content nothing verified.',
          suggestion:
            'Pin the file by its digest (BuildKit 0.13 / Docker 26 take it without a `# syntax=` line):\nADD --checksum=sha256:<digest> https://example.com/tool-1.2.3.tar.gz /tmp/\nGet the digest once with `curl -fsSL https://example.com/tool-1.2.3.tar.gz | sha256sum`; put the version in the URL (or an ARG) so a change is a change of this line.',
        },
      ],
      output: null,
    },
    {
      name: 'http, other flags kept, exec form, and a multi-line ADD',
      dockerfile: 'FROM busybox\nADD --chmod=755 http://example.com/run.sh /usr/local/bin/run\nADD ["https://example.com/a.txt", "/a.txt"]\nADD \\\n  https://example.com/b.txt /b.txt\n',
      findings: [
        { line: 2, suggestion: s('ADD --checksum=sha256:<digest> --chmod=755 http://example.com/run.sh /usr/local/bin/run\n') },
        { line: 3, message: s('`ADD https://example.com/a.txt`') },
        { line: 4, suggestion: s('ADD --checksum=sha256:<digest> \\\n    …') },
      ],
    },
    {
      name: 'with a build: costMs is the measured time of the ADD',
      dockerfile: 'FROM busybox\nADD https://example.com/big.iso /big.iso\n',
      log: ['#1 [1/2] FROM docker.io/library/busybox:latest', '#1 DONE 0.1s', '', '#2 [2/2] ADD https://example.com/big.iso /big.iso', '#2 DONE 8.3s', ''].join('\n'),
      findings: [{ line: 2, costMs: 8300 }],
    },
  ],
});
