import { remoteScript } from './remote-script.js';
import { testAnalyzer } from '../test/analyzer-tester.js';

const s = (x: string) => expect.stringContaining(x) as unknown as string;

testAnalyzer(remoteScript, {
  valid: [
    { name: 'a versioned download checked with sha256sum', dockerfile: 'FROM debian:12\nRUN curl -fsSLo /tmp/t.tgz https://example.com/tool-1.4.2.tgz && echo "abc  /tmp/t.tgz" | sha256sum -c -\n' },
    { name: 'a download whose URL names a version (or an ARG)', dockerfile: 'FROM debian:12\nARG V=1.2.3\nRUN curl -fsSLo /usr/local/bin/jq https://github.com/jqlang/jq/releases/download/jq-1.7.1/jq-linux-amd64\nRUN wget -q https://example.com/v${V}/tool.tgz\n' },
    { name: 'a signing key for apt, piped to gpg', dockerfile: 'FROM debian:12\nRUN curl -fsSL https://deb.nodesource.com/gpgkey/nodesource-repo.gpg.key | gpg --dearmor -o /etc/apt/keyrings/nodesource.gpg\n' },
    { name: 'curl used for something else', dockerfile: 'FROM debian:12\nRUN apt-get update && apt-get install -y curl\nHEALTHCHECK CMD curl -f http://localhost/ || exit 1\n' },
    {
      name: 'official-image idioms: versioned URLs from ENV, gpg --verify, sha256sum -c, keys for apt',
      dockerfile: [
        'FROM debian:12',
        'ENV PYTHON_VERSION=3.12.4',
        'RUN wget -O python.tar.xz "https://www.python.org/ftp/python/${PYTHON_VERSION%%[a-z]*}/Python-$PYTHON_VERSION.tar.xz" && wget -O python.tar.xz.asc "https://www.python.org/ftp/python/${PYTHON_VERSION%%[a-z]*}/Python-$PYTHON_VERSION.tar.xz.asc" && gpg --batch --verify python.tar.xz.asc python.tar.xz',
        'RUN url="https://static.rust-lang.org/rustup/archive/1.27.1/x86_64-unknown-linux-gnu/rustup-init"; wget "$url"; echo "abc *rustup-init" | sha256sum -c -',
        'RUN wget -O- https://apt.releases.hashicorp.com/gpg | gpg --dearmor -o /usr/share/keyrings/hashicorp.gpg',
        'RUN curl -fsSL https://download.docker.com/linux/debian/gpg -o /etc/apt/keyrings/docker.asc',
        'RUN curl -f http://localhost:8080/health || exit 1',
        '',
      ].join('\n'),
    },
    { name: 'a script downloaded, verified, then run', dockerfile: 'FROM debian:12\nRUN curl -fsSLo /tmp/i.sh https://sh.rustup.rs && sha256sum -c /tmp/i.sh.sha256 && sh /tmp/i.sh -y\n' },
  ],
  invalid: [
    {
      name: 'curl | sh: the pinned ADD and the RUN that runs it, keeping the script arguments',
      dockerfile: "FROM debian:12\nRUN curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y\n",
      findings: [
        {
          rule: 'remote-script',
          messageId: 'pipeToShell',
          severity: 'warning',
          line: 2,
          message:
            "`curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y` pipes a download into `sh`: BuildKit caches this RUN on its text, not on the script, so the layer keeps what the script did the day the cache was filled, and the next re-run runs whatever the server sends then, unverified.",
          suggestion:
            'Fetch the script as a file pinned by its digest, then run it (BuildKit skips the request while it is cached):\nADD --checksum=sha256:<digest> https://sh.rustup.rs /tmp/install.sh\nRUN sh /tmp/install.sh -y\nGet the digest once with `curl -fsSL https://sh.rustup.rs | sha256sum`, and prefer a URL that names a version.',
        },
      ],
      output: null,
    },
    {
      name: 'wget -O- | sudo bash -, curl | python3 -, sh -c "$(curl …)", bash <(curl …)',
      dockerfile:
        'FROM debian:12\nRUN wget -qO- https://deb.nodesource.com/setup_20.x | sudo -E bash -\nRUN curl -sSL https://install.python-poetry.org | python3 -\nRUN sh -c "$(curl -fsSL https://raw.githubusercontent.com/ohmyzsh/ohmyzsh/master/tools/install.sh)"\nRUN bash <(curl -s https://example.com/setup.sh)\n',
      findings: [
        { line: 2, message: s('pipes a download into `bash`'), suggestion: s('ADD --checksum=sha256:<digest> https://deb.nodesource.com/setup_20.x /tmp/setup_20.x\nRUN bash /tmp/setup_20.x') },
        { line: 3, message: s('pipes a download into `python3`'), suggestion: s('RUN python3 /tmp/install.sh') },
        { line: 4, message: s('pipes a download into `sh`'), suggestion: s('/tmp/install.sh') },
        { line: 5, message: s('pipes a download into `bash`'), suggestion: s('RUN bash /tmp/setup.sh') },
      ],
    },
    {
      name: 'installers in the wild: nvm (a versioned URL is still piped), pnpm with env prefixes, bun with arguments',
      dockerfile:
        'FROM node:22\nRUN curl -o- https://raw.githubusercontent.com/nvm-sh/nvm/v0.39.7/install.sh | bash\nRUN wget -qO- https://get.pnpm.io/install.sh | ENV="$HOME/.bashrc" SHELL="$(which bash)" bash -\nRUN curl -fsSL https://bun.sh/install | bash -s "bun-v1.1.0"\n',
      findings: [
        { line: 2, suggestion: s('ADD --checksum=sha256:<digest> https://raw.githubusercontent.com/nvm-sh/nvm/v0.39.7/install.sh /tmp/install.sh\nRUN bash /tmp/install.sh\n') },
        { line: 3, message: s('pipes a download into `bash`') },
        { line: 4, suggestion: s('RUN bash /tmp/install.sh "bun-v1.1.0"') },
      ],
    },
    {
      name: 'an unpinned download: latest, or no version at all, and no digest check',
      dockerfile:
        'FROM debian:12\nRUN curl -fsSL -o /usr/local/bin/tool https://github.com/org/tool/releases/latest/download/tool-linux-amd64 && chmod +x /usr/local/bin/tool\nRUN curl -O https://bootstrap.pypa.io/get-pip.py && python get-pip.py\n',
      findings: [
        {
          line: 2,
          messageId: 'unpinnedDownload',
          message: s('downloads https://github.com/org/tool/releases/latest/download/tool-linux-amd64, which names no version'),
          suggestion: s('sha256sum -c -'),
        },
        { line: 3, messageId: 'unpinnedDownload', suggestion: s('ADD --checksum=sha256:<digest> https://bootstrap.pypa.io/get-pip.py /tmp/get-pip.py') },
      ],
    },
    {
      name: 'a heredoc RUN, and a build: costMs is the time of the step',
      dockerfile: 'FROM debian:12\nRUN <<EOF\nset -e\ncurl -fsSL https://get.docker.com | sh\nEOF\n',
      log: ['#1 [1/2] FROM docker.io/library/debian:12', '#1 DONE 0.1s', '', '#2 [2/2] RUN <<EOF', '#2 DONE 31.0s', ''].join('\n'),
      findings: [{ line: 2, messageId: 'pipeToShell', costMs: 31000 }],
    },
  ],
});
