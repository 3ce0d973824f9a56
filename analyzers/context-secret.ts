// Secrets in the build context: `.env` files, private keys, SSH keys, `.npmrc`/`.pypirc` holding a
// token, cloud credential files. Whatever a COPY sends ends up in an image layer, readable by anyone
// who can pull the image, even if a later step deletes it. See docs/rules/context-secret.md.
import type { Analyzer, AnalyzerContext, Report } from './types.js';
import { contextFacts } from '../src/core/context.js';

export const contextSecret: Analyzer = {
  id: 'context-secret',
  description: 'A secret (.env, private key, token-holding .npmrc, cloud credentials) in the build context.',
  defaultSeverity: 'warning',
  messages: {
    copiedIntoImage: '{{path}} ({{kind}}) is copied into the image by `{{instruction}}`: anyone who can pull the image can read it, even if a later step deletes it.',
    inContext: '{{path}} ({{kind}}) is in the build context: the legacy builder uploads it, and any `COPY . .` would put it in the image.',
    useSecretMount:
      'Add `{{path}}` to {{ignoreFile}}, and give the build what it needs with a secret mount: `RUN --mount=type=secret,id={{id}},target=/run/secrets/{{id}} …` built with `docker build --secret id={{id}},src={{path}}` (or `env=` for a variable).',
  },
  needs: ['context'],
  analyze(ctx: AnalyzerContext): Report[] {
    const facts = contextFacts(ctx);
    if (!facts || facts.secrets.length === 0) return [];
    const ignoreFile = ctx.context?.dockerignore?.path ?? '.dockerignore';
    const transferred = new Set(facts.transfer.map((f) => f.path));
    return facts.secrets.map((s) => {
      const id = s.path.replace(/^.*\//, '').replace(/^\./, '').replace(/[^\w-]+/g, '_') || 'secret';
      const data = { path: s.path, kind: s.kind, ignoreFile, id };
      // Which COPY/ADD (or bind mount) of a reached stage takes it: the first source that covers it.
      const source = facts.use && transferred.has(s.path)
        ? facts.use.sources.find((src) => src.keyword !== 'RUN' && (src.path === '.' || src.source.includes('$') || s.path === src.path || s.path.startsWith(src.path + '/') || globCovers(src.path, s.path)))
        : undefined;
      if (source && ctx.dockerfile) {
        const ins = ctx.dockerfile.parsed.instructions.find((i) => i.line === source.line);
        return { messageId: 'copiedIntoImage', data: { ...data, instruction: ins?.text ?? `${source.keyword} ${source.source}` }, file: 'dockerfile', line: source.line, suggestion: 'useSecretMount' };
      }
      return { messageId: 'inContext', data, file: 'dockerignore', line: null, suggestion: 'useSecretMount' };
    });
  },
};

function globCovers(pattern: string, path: string): boolean {
  if (!/[*?[]/.test(pattern)) return false;
  const re = new RegExp('^' + pattern.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]') + '(/|$)');
  return re.test(path);
}
