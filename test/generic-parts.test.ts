import { describe, expect, it } from 'vitest';
import type { Change } from '../lib/alerting/change';
import { genericParts } from '../lib/notify/generic';

const change = (i: number, name = `task-${i}`): Change => ({
  id: `chg_${String(i).padStart(6, '0')}`,
  kind: 'status_changed',
  severity: 'critical',
  instance_id: 'inst-1',
  instance_name: 'prod',
  task_id: `task-${i}`,
  task_name: name,
  from: 'RUNNING',
  to: 'FAILED',
  fields: null,
  snapshot_id: '20261201T000000000Z',
  detected_at: '2026-12-01T00:00:00.000Z',
});
const message = (n: number, name?: (i: number) => string) => ({
  id: 'msg_0123456789abcdef0123456789',
  snapshot_id: '20261201T000000000Z',
  taken_at: '2026-12-01T00:00:00.000Z',
  changes: Array.from({ length: n }, (_, i) => change(i, name?.(i))),
});

describe('genericParts (DESIGN.md §5)', () => {
  it.each([
    ['nothing to split: one body, the message id, no part fields', 3, 4_096, undefined],
    ['a few changes over a small limit', 40, 4_096, undefined],
    ['multi-byte names are counted in bytes, not characters', 40, 4_096, (i: number) => `任务-${'字'.repeat(50)}-${i}`],
    ['1,500 changes at the real limit, 256 KiB', 1_500, 256 * 1024, undefined],
  ])('%s', (_name, n, max, name) => {
    const m = message(n, name);
    const parts = genericParts(m, max);
    const bodies = parts.map((p) => JSON.parse(p.body) as { id: string; part?: number; parts?: number; changes: Change[] });
    for (const p of parts) expect(Buffer.byteLength(p.body)).toBeLessThanOrEqual(max);
    expect(bodies.flatMap((b) => b.changes)).toEqual(m.changes);
    expect(bodies.map((b) => b.id)).toEqual(parts.map((p) => p.id));
    if (parts.length === 1) {
      expect(parts[0]!.id).toBe(m.id);
      expect(bodies[0]).not.toHaveProperty('part');
    } else {
      expect(bodies.map((b) => [b.part, b.parts])).toEqual(bodies.map((_, i) => [i + 1, parts.length]));
      expect(new Set(parts.map((p) => p.id)).size).toBe(parts.length);
      // Stable: the same message always gives the same parts.
      expect(genericParts(m, max)).toEqual(parts);
    }
  });
});
