import { parseStepName } from '../../src/core/parse/step-name.js';

describe('parseStepName', () => {
  it('reads stage, index and instruction', () => {
    expect(parseStepName('[builder  2/11] RUN go build ./...')).toEqual({
      target: null, platform: null, stage: 'builder', index: 2, total: 11, instruction: 'RUN go build ./...', internal: false,
    });
  });
  it('reads a padded index without a stage', () => {
    const p = parseStepName('[ 1/12] FROM docker.io/library/node:20');
    expect([p.stage, p.index, p.total, p.instruction]).toEqual([null, 1, 12, 'FROM docker.io/library/node:20']);
  });
  it('reads target, platform and stage', () => {
    const p = parseStepName('[web linux/arm64 builder 3/5] COPY . .');
    expect([p.target, p.platform, p.stage, p.index]).toEqual(['web', 'linux/arm64', 'builder', 3]);
  });
  it('reads a cross-compiling platform', () => {
    expect(parseStepName('[linux/amd64->arm64 stage-3 8/20] RUN make').platform).toBe('linux/amd64->arm64');
  });
  it('marks internal vertices', () => {
    expect(parseStepName('[internal] load build context').internal).toBe(true);
    expect(parseStepName('exporting to image').internal).toBe(true);
    expect(parseStepName('[web internal] load build definition from Dockerfile').target).toBe('web');
  });
  it('reads a known compose target', () => {
    const p = parseStepName('[web 2/4] RUN npm ci', new Set(['web']));
    expect([p.target, p.stage]).toEqual(['web', null]);
  });
});

describe('lastRedraw', () => {
  it('keeps the last redraw of a progress line and its BuildKit prefix', async () => {
    const { lastRedraw } = await import('../../src/core/parse/detect.js');
    expect(lastRedraw('#7 1.234 10%\r50%\r100%')).toBe('#7 1.234 100%');
    expect(lastRedraw('Sending build context  1kB\rSending build context  2kB\r\r')).toBe('Sending build context  2kB');
    expect(lastRedraw('plain line')).toBe('plain line');
  });
});
