import { describe, expect, it } from 'vitest';
import { type Change, type ChangeKind, type Severity, severityRank } from '../lib/alerting/change';
import { changesForChannel } from '../lib/notify/filter';
import type { Task } from '../lib/store/snapshot';
import { OBS_SINK, PROD_ID, REDIS, REPLICATOR, RUN_1, isoOf, kindsOf } from './support/builders';

describe('changesForChannel', () => {
  const change = (kind: ChangeKind, severity: Severity, task: Task | null): Change => ({
    id: `${kind}-${severity}-${task?.id ?? ''}`,
    kind,
    severity,
    instance_id: PROD_ID,
    instance_name: 'prod',
    task_id: task?.id ?? null,
    task_name: task?.task_name ?? null,
    from: null,
    to: null,
    fields: null,
    snapshot_id: RUN_1,
    detected_at: isoOf(RUN_1),
  });
  const all = [
    change('task_added', 'info', REDIS),
    change('config_changed', 'info', OBS_SINK),
    change('status_changed', 'resolved', REPLICATOR),
    change('instance_recovered', 'resolved', null),
    change('status_changed', 'warning', OBS_SINK),
    change('task_removed', 'warning', REDIS),
    change('status_changed', 'critical', REPLICATOR),
    change('instance_unreachable', 'critical', null),
  ];

  it.each<[string, { events?: ChangeKind[]; min_severity?: Severity }, string[]]>([
    ['no filter', {}, kindsOf(all)],
    ['min info', { min_severity: 'info' }, kindsOf(all)],
    ['min resolved', { min_severity: 'resolved' }, ['status_changed:resolved', 'instance_recovered:resolved', 'status_changed:warning', 'task_removed:warning', 'status_changed:critical', 'instance_unreachable:critical']],
    ['min warning', { min_severity: 'warning' }, ['status_changed:warning', 'task_removed:warning', 'status_changed:critical', 'instance_unreachable:critical']],
    ['min critical', { min_severity: 'critical' }, ['status_changed:critical', 'instance_unreachable:critical']],
    ['events status_changed', { events: ['status_changed'] }, ['status_changed:resolved', 'status_changed:warning', 'status_changed:critical']],
    ['events status_changed, min warning', { events: ['status_changed'], min_severity: 'warning' }, ['status_changed:warning', 'status_changed:critical']],
    ['events of the instance', { events: ['instance_unreachable', 'instance_recovered'] }, ['instance_recovered:resolved', 'instance_unreachable:critical']],
    ['events task_added, min resolved: none', { events: ['task_added'], min_severity: 'resolved' }, []],
    ['events state_reset: none here', { events: ['state_reset'] }, []],
  ])('%s', (_name, filter, expected) => {
    expect(kindsOf(changesForChannel({ events: filter.events, min_severity: filter.min_severity }, all))).toEqual(expected);
  });

  it.each<[Severity, Severity]>([
    ['info', 'resolved'],
    ['resolved', 'warning'],
    ['warning', 'critical'],
  ])('severity %s ranks below %s', (lower, higher) => {
    expect(severityRank(lower)).toBeLessThan(severityRank(higher));
  });
});
