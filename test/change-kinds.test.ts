import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CHANGE_KINDS, Change, type ChangeKind, type Severity } from '../lib/alerting/change';
import { CHANGE_KIND_TABLE, KIND_NAMES, isFailure, kindLabels, kindTexts, severityOf } from '../lib/alerting/change-kinds';
import { failingFor, spanText } from '../lib/alerting/failing-since';
import { stateResetChange } from '../lib/alerting/diff';

// Issue #17 item 1: one table of change kinds (DESIGN.md §4) that the diff, the schema and the texts read.

describe('severity (DESIGN.md §4)', () => {
  it.each<[ChangeKind, string | null, string | null, Severity]>([
    ['status_changed', 'FAILED', 'RUNNING', 'resolved'],
    ['status_changed', 'RUNNING', 'PAUSED', 'warning'],
    ['status_changed', 'FAILED', 'PAUSED', 'critical'],
    ['status_changed', 'RUNNING', 'FAILED', 'critical'],
    ['task_added', null, 'FAILED', 'info'],
    ['task_removed', 'RUNNING', null, 'warning'],
    ['config_changed', null, null, 'info'],
    ['instance_unreachable', null, null, 'critical'],
    ['instance_recovered', null, null, 'resolved'],
    ['state_reset', null, null, 'warning'],
    ['instance_added', null, null, 'info'],
    ['instance_removed', '18', null, 'warning'],
    ['still_failing', 'FAILED', 'FAILED', 'critical'],
    ['still_failing', null, null, 'critical'],
    ['flapping', null, 'FAILED', 'warning'],
    ['flapping', null, 'RUNNING', 'warning'],
    ['flapping_ended', null, 'RUNNING', 'resolved'],
    ['flapping_ended', null, 'FAILED', 'critical'],
    ['flapping_ended', null, 'PAUSED', 'critical'],
  ])('%s from %s to %s: %s', (kind, from, to, severity) => {
    expect(severityOf(kind, from, to)).toBe(severity);
  });
});

describe('failing (DESIGN.md §4: neither RUNNING nor PAUSED, or unreachable)', () => {
  it.each<[ChangeKind, string | null, boolean]>([
    ['status_changed', 'FAILED', true],
    ['status_changed', 'CREATING', true],
    ['status_changed', 'PAUSED', false],
    ['status_changed', 'RUNNING', false],
    ['task_added', 'FAILED', true],
    ['task_added', 'RUNNING', false],
    ['task_removed', null, false],
    ['config_changed', null, false],
    ['instance_unreachable', null, true],
    ['instance_recovered', null, false],
    ['state_reset', null, false],
    ['instance_added', null, false],
    ['instance_removed', null, false],
    ['still_failing', 'FAILED', true],
    ['still_failing', null, true],
    ['flapping', 'FAILED', true],
    ['flapping', 'RUNNING', false],
    ['flapping_ended', 'PAUSED', false],
    ['flapping_ended', 'FAILED', true],
  ])('%s to %s: %s', (kind, to, failing) => {
    expect(isFailure({ kind, to })).toBe(failing);
  });
});

describe('the table', () => {
  it('lists every kind once, the new ones of DESIGN.md §4 included; every one is made by a run, so users can name each', () => {
    expect(KIND_NAMES).toEqual(Object.keys(CHANGE_KIND_TABLE));
    expect(new Set(KIND_NAMES).size).toBe(KIND_NAMES.length);
    expect(KIND_NAMES.filter((k) => !CHANGE_KINDS.includes(k))).toEqual([]); // the lifecycle (lib/alerting/lifecycle.ts) makes still_failing, flapping, flapping_ended
  });

  it.each(KIND_NAMES)('%s has a text and a digest label in English and Chinese', (kind) => {
    expect(kindTexts('en')[kind]('RUNNING', 'FAILED', 'a.b')).not.toBe('');
    expect(kindLabels('en')[kind]).toMatch(/^[a-z ]+$/);
    expect(kindLabels('zh')[kind]).toMatch(/^[\u4e00-\u9fff]+$/);
    if (kind !== 'status_changed') expect(kindTexts('zh')[kind]('RUNNING', 'FAILED', 'a.b')).toMatch(/[\u4e00-\u9fff]/);
  });

  it('state_reset is built from its row, with the id it always had', () => {
    const c = stateResetChange('20261121T071500123Z', '2026-11-21T07:15:00.123Z');
    expect(Change.parse(c)).toEqual(c);
    expect(c).toMatchObject({ kind: 'state_reset', severity: 'warning', instance_id: null, task_id: null, from: null, to: null, fields: null });
    // The id run.ts gave it before: sha256 of kind, instance, task, from, to and snapshot id.
    expect(c.id).toBe(createHash('sha256').update('state_reset\n\n\n\n\n20261121T071500123Z').digest('hex').slice(0, 32));
  });
});

describe('the change schema takes the new kinds and their fields', () => {
  const base = { id: 'c1', instance_id: 'i', instance_name: 'prod', task_id: 't', task_name: 'sc-1', fields: null, snapshot_id: 'S', detected_at: '2026-11-21T15:26:00.000Z' };
  it.each([
    ['still_failing with since', { ...base, kind: 'still_failing', severity: 'critical', from: 'FAILED', to: 'FAILED', since: '2026-11-21T09:14:00.000Z' }],
    ['flapping', { ...base, kind: 'flapping', severity: 'warning', from: null, to: 'FAILED' }],
    ['flapping_ended, held in the history', { ...base, kind: 'flapping_ended', severity: 'resolved', from: null, to: 'RUNNING', held: 'flapping' }],
    ['a silenced change', { ...base, kind: 'status_changed', severity: 'critical', from: 'RUNNING', to: 'FAILED', held: 'silenced', silenced_by: ['s-1'] }],
  ])('%s', (_name, change) => {
    expect(Change.parse(change)).toEqual(change);
  });

  it.each([
    ['an unknown held', { held: 'later' }],
    ['silenced_by not a list', { silenced_by: 's-1' }],
    ['since not text', { since: 1 }],
  ])('refuses %s', (_name, extra) => {
    expect(Change.safeParse({ ...base, kind: 'still_failing', severity: 'critical', from: 'FAILED', to: 'FAILED', ...extra }).success).toBe(false);
  });
});

describe('failingFor: how long, and since when', () => {
  const at = '2026-11-21T15:26:30.000Z';
  it.each<[string, string | null, string, 'en' | 'zh', { duration: string; since: string } | null]>([
    ['6 h 12 min', '2026-11-21T09:14:00.000Z', 'UTC', 'en', { duration: '6 h 12 min', since: '09:14' }],
    ['in Chinese', '2026-11-21T09:14:00.000Z', 'UTC', 'zh', { duration: '6 小时 12 分钟', since: '09:14' }],
    ['in the configured zone', '2026-11-21T09:14:00.000Z', 'Asia/Shanghai', 'en', { duration: '6 h 12 min', since: '17:14' }],
    ['under an hour', '2026-11-21T15:00:00.000Z', 'UTC', 'en', { duration: '26 min', since: '15:00' }],
    ['under a minute: seconds', '2026-11-21T15:26:00.000Z', 'UTC', 'en', { duration: '30 s', since: '15:26' }],
    ['seconds in Chinese', '2026-11-21T15:26:25.000Z', 'UTC', 'zh', { duration: '5 秒', since: '15:26' }],
    ['exactly an hour', '2026-11-21T14:26:30.000Z', 'UTC', 'en', { duration: '1 h 0 min', since: '14:26' }],
    ['days: the date is shown', '2026-11-19T09:14:00.000Z', 'UTC', 'en', { duration: '2 d 6 h', since: '2026-11-19 09:14' }],
    ['local midnight in the zone', '2026-11-21T15:00:00.000Z', 'Asia/Tokyo', 'en', { duration: '26 min', since: '00:00' }],
    ['past local midnight', '2026-11-21T14:59:00.000Z', 'Asia/Tokyo', 'zh', { duration: '27 分钟', since: '2026-11-21 23:59' }],
    ['no since', null, 'UTC', 'en', null],
    ['not a time', 'yesterday', 'UTC', 'en', null],
    ['after detection', '2026-11-21T16:00:00.000Z', 'UTC', 'en', null],
  ])('%s', (_name, since, zone, lang, expected) => {
    expect(failingFor(lang, since, at, zone)).toEqual(expected);
  });
});

describe('spanText: FLAP_WINDOW as a reader sees it', () => {
  it.each<[number | null, 'en' | 'zh', string | null]>([
    [3_600_000, 'en', '1 h'],
    [5_400_000, 'en', '1 h 30 min'],
    [3_600_000 + 1_000, 'en', '1 h'],
    [86_400_000, 'zh', '1 天'],
    [90_000, 'en', '1 min 30 s'],
    [6_000, 'zh', '6 秒'],
    [500, 'en', '0.5 s'],
    [0, 'en', null],
    [null, 'en', null],
  ])('%s ms (%s)', (ms, lang, expected) => {
    expect(spanText(lang, ms)).toBe(expected);
  });
});

describe('the flapping texts say what the change carries', () => {
  const at = (flapCount: number | null, flapWindowMs: number | null) => ({ task: true, detectedAt: '2026-11-21T15:26:00.000Z', since: null, timezone: 'UTC', flapCount, flapWindowMs });
  it.each<['en' | 'zh', 'flapping' | 'flapping_ended', number | null, number | null, string]>([
    ['en', 'flapping', 4, 3_600_000, 'status flapping: 4 status changes in 1 h, now FAILED'],
    ['zh', 'flapping', 4, 3_600_000, '状态频繁变化：1 小时内 4 次状态变更，当前 FAILED'],
    ['en', 'flapping', 3, null, 'status flapping: 3 status changes, now FAILED'],
    ['zh', 'flapping', 3, null, '状态频繁变化：3 次状态变更，当前 FAILED'],
    ['en', 'flapping', null, 3_600_000, 'status flapping: now FAILED'],
    ['en', 'flapping_ended', null, 6_000, 'stable again: FAILED, no status change for 6 s'],
    ['zh', 'flapping_ended', null, 6_000, '状态已稳定：FAILED，6 秒内无状态变更'],
    ['en', 'flapping_ended', null, null, 'stable again: FAILED'],
  ])('%s %s, count %s, window %s', (lang, kind, count, window, text) => {
    expect(kindTexts(lang)[kind]('?', 'FAILED', '', at(count, window))).toBe(text);
  });
});
