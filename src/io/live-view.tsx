// The live view of `buildlens build`: an Ink app on stderr that draws the LiveState folded from the
// step events. Loaded with import() only when the live view is used (Ink and React are heavy).
import React from 'react';
import { Box, Text, render, type Instance } from 'ink';
import type { LiveEvent } from '../core/live-events.js';
import { LiveState, type LiveSnapshot, type LiveStep } from '../core/live-state.js';
import type { Redactor } from '../core/redact.js';
import { formatDuration } from '../core/units.js';
import type { CliOutput } from '../cli/io.js';

const REDRAW_MS = 100;

function clip(text: string, width: number): string {
  return text.length <= width ? text : text.slice(0, Math.max(0, width - 1)) + '…';
}

function statusLabel(s: LiveStep): string {
  switch (s.status) {
    case 'cached': return 'CACHED';
    case 'error': return 'ERROR';
    case 'canceled': return 'CANCELED';
    case 'incomplete': return 'INCOMPLETE';
    default: return formatDuration(s.durationMs ?? 0);
  }
}

export function LiveView({ snap, now, width, ended }: { snap: LiveSnapshot; now: number; width: number; ended: boolean }): React.ReactElement {
  const w = Math.max(40, width);
  const nameWidth = Math.min(w - 16, 72);
  return (
    <Box flexDirection="column">
      <Text bold>
        {ended ? 'Built' : 'Building'} {formatDuration(snap.elapsedMs)} · {snap.done}/{snap.total} steps done{snap.cached > 0 ? ` (${snap.cached} cached)` : ''}
      </Text>
      {snap.finishedHidden > 0 ? <Text dimColor>  … {snap.finishedHidden} earlier steps finished</Text> : null}
      {snap.finished.map((s) => (
        <Text key={`f${s.id}`} color={s.status === 'error' ? 'red' : s.status === 'cached' ? 'gray' : 'green'}>
          {s.status === 'error' ? '✗' : '✓'} {clip(s.name, nameWidth).padEnd(nameWidth)} {statusLabel(s)}
        </Text>
      ))}
      {snap.running.map((s) => (
        <Box key={`r${s.id}`} flexDirection="column">
          <Text color="yellow">
            ▸ {clip(s.name, nameWidth).padEnd(nameWidth)} {formatDuration(Math.max(0, now - s.startAt))}
          </Text>
          {s.lastLine ? <Text dimColor>    {clip(s.lastLine, w - 6)}</Text> : null}
        </Box>
      ))}
      {snap.runningHidden > 0 ? <Text dimColor>  … and {snap.runningHidden} more running</Text> : null}
    </Box>
  );
}

export interface LiveViewHandle {
  event(e: LiveEvent): void;
  raw(line: string): void;
  stop(): Promise<void>;
}

export async function startLiveView(out: CliOutput, redact: Redactor): Promise<LiveViewHandle> {
  const state = new LiveState();
  const startedAt = Date.now();
  const stream = out as unknown as NodeJS.WriteStream;
  const width = () => (typeof out.columns === 'number' && out.columns > 0 ? out.columns : 100);
  const rows = () => (typeof (stream as { rows?: number }).rows === 'number' ? (stream as { rows: number }).rows : 40);
  const snapshot = () => {
    // A window that fits the terminal: half for running steps (two lines each), the rest for finished ones.
    const room = Math.max(6, rows() - 4);
    const running = Math.max(2, Math.floor(room / 4));
    return state.snapshot(Date.now(), running, Math.max(2, room - running * 2 - 2), startedAt);
  };
  const instance: Instance = render(<LiveView snap={snapshot()} now={Date.now()} width={width()} ended={false} />, {
    stdout: stream,
    stderr: stream,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  // Redrawn on a clock, not per event: hundreds of log lines a second cost one frame each 100 ms.
  const timer = setInterval(() => {
    instance.rerender(<LiveView snap={snapshot()} now={Date.now()} width={width()} ended={false} />);
  }, REDRAW_MS);
  return {
    event(e) {
      if (e.type === 'start') state.apply({ ...e, name: redact(e.name) });
      else if (e.type === 'log') state.apply({ ...e, text: redact(e.text) });
      else state.apply(e);
    },
    raw() {},
    async stop() {
      clearInterval(timer);
      // The static summary: the last frame, with nothing running.
      instance.rerender(<LiveView snap={snapshot()} now={Date.now()} width={width()} ended />);
      instance.unmount();
      await instance.waitUntilExit().catch(() => undefined);
    },
  };
}
