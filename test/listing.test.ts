import { describe, expect, it } from 'vitest';
import { listedTasks } from '../lib/source/listing';
import { sortedCopy } from '../lib/store/canonical-json';
import type { Task } from '../lib/store/snapshot';
import { OBS_SINK, reversed, withTask } from './support/builders';

describe('listedTasks (the state read at the end of the listing)', () => {
  const target = { instance_id: 'i-1', name: 'prod', region: 'r', project_id: 'p' };
  const listed = sortedCopy(withTask(OBS_SINK, { id: 'task-1' }));
  const { intern } = listedTasks([{ target, listing: { tasks: [listed], total_number: 1, max_tasks: null, quota_tasks: null, anomalies: [], complete: true, requests: 1 }, error: null }, { target: { ...target, instance_id: 'i-2' }, listing: null, error: 'failed' }]);

  it.each<[string, string, Task, boolean]>([
    ['an equal stored task (any key order) becomes the listed object', 'i-1', reversed(withTask(OBS_SINK, { id: 'task-1' })) as Task, true],
    ['a stored task with another status stays itself', 'i-1', withTask(OBS_SINK, { id: 'task-1', status: 'PAUSED' }), false],
    ['a task of another instance stays itself', 'i-2', withTask(OBS_SINK, { id: 'task-1' }), false],
    ['a task no longer listed stays itself', 'i-1', withTask(OBS_SINK, { id: 'task-9' }), false],
  ])('%s', (_name, instanceId, stored, same) => {
    expect(intern(instanceId, stored) === listed).toBe(same);
    if (!same) expect(intern(instanceId, stored)).toBe(stored);
  });
});
