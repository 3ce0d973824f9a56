import { MASK, createRedactor, createStreamRedactor, looksSecret, redactDeep, secretValues } from '../../src/core/redact.js';

describe('secret masking', () => {
  it('finds secret-looking build-arg names', () => {
    for (const n of ['NPM_TOKEN', 'github_token', 'DB_PASSWORD', 'API_KEY', 'AWS_SECRET_ACCESS_KEY', 'PRIVATE_REPO_AUTH']) expect(looksSecret(n)).toBe(true);
    for (const n of ['VERSION', 'NODE_ENV', 'PORT']) expect(looksSecret(n)).toBe(false);
  });

  it('masks values of secret args, of --redact names, of env-read args and of --secret env sources', () => {
    const values = secretValues(
      {
        buildArgs: [{ name: 'NPM_TOKEN', value: 'tok-123456' }, { name: 'VERSION', value: '1.2.3' }, { name: 'DB_URL', value: 'postgres://u:p@h' }, { name: 'GH_TOKEN', value: null }],
        secrets: [{ id: 'aws', env: 'AWS_KEY', src: null }],
      },
      { GH_TOKEN: 'ghp_abcdef', AWS_KEY: 'AKIA999999' },
      ['db_url'],
    );
    expect(values.sort()).toEqual(['AKIA999999', 'ghp_abcdef', 'postgres://u:p@h', 'tok-123456']);
  });

  it('masks every occurrence, longest value first, and leaves short values alone', () => {
    const redact = createRedactor(['abcd', 'abcdefgh']);
    expect(redact('RUN echo abcdefgh abcd')).toBe(`RUN echo ${MASK} ${MASK}`);
    expect(secretValues({ buildArgs: [{ name: 'KEY', value: 'on' }], secrets: [] }, {})).toEqual([]);
  });

  it('masks deep inside a report, without changing its shape', () => {
    const redact = createRedactor(['s3cr3t-value']);
    const data = { name: '[2/2] RUN echo s3cr3t-value', output: ['x s3cr3t-value y'], n: 3, z: null };
    expect(redactDeep(data, redact)).toEqual({ name: `[2/2] RUN echo ${MASK}`, output: [`x ${MASK} y`], n: 3, z: null });
  });

  it('masks a secret split across stream chunks', () => {
    const s = createStreamRedactor(['s3cr3t-value']);
    let out = '';
    for (const chunk of ['line one\nand s3c', 'r3t-va', 'lue here\nlast s3cr3t-', 'value']) out += s.write(chunk);
    out += s.end();
    expect(out).toBe(`line one\nand ${MASK} here\nlast ${MASK}`);
    expect(out).not.toContain('s3cr3t');
  });
});
