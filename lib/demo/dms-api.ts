// The two DMS for Kafka APIs the emulator answers, as data: their routes and error answers, the
// instances it holds, and the pages of `ListConnectorTasks` and `ListInstances` (paged by offset/limit).
import type { ErrorBody } from './api-gateway';

export const TASKS_ROUTE = /^\/v2\/([^/]+)\/instances\/([^/]+)\/connector\/tasks\/?$/;
export const LIST_ROUTE = /^\/v2\/([^/]+)\/instances\/?$/;

export const DMS_ERR = {
  project: { error_code: 'DMS.00403000', error_msg: 'The project ID in the path does not match the credentials.' },
  noInstance: { error_code: 'DMS.00404022', error_msg: 'The instance does not exist.' },
  // The real code is not documented; the emulator's message is what isConnectorOff (dms-source.ts) reads.
  connectorOff: { error_code: 'DMS.00400999', error_msg: 'Smart Connect is not enabled on this instance.' },
  badParam: { error_code: 'DMS.00400002', error_msg: 'Invalid parameter' },
  internal: { error_code: 'DMS.00500000', error_msg: 'Internal error' },
} satisfies Record<string, ErrorBody>;

/** What ListInstances tells of an instance (`setInstance` extras). */
export interface InstanceInfo {
  name?: string;
  /** Default true. */
  connector_enable?: boolean;
  /** Default the emulator's `projectId`. */
  project_id?: string;
}
/** `total_number` overrides the reported total (a listing that runs dry early, or a total below the tasks); `max_tasks: null` leaves it out. */
export type InstanceExtras = { max_tasks?: number | null; quota_tasks?: number; total_number?: number } & InstanceInfo;

export interface Instance {
  tasks: Record<string, unknown>[]; max_tasks: number | null; quota_tasks: number; total_number: number | undefined;
  name: string; connector_enable: boolean; project_id: string; created: number;
}

/** `offset` / `limit` as both APIs read them (defaults 0 and 10), or null when one is out of range. */
export function paging(params: URLSearchParams, offset: number | null, limit: number | null): { offset: number; limit: number } | null {
  const l = params.has('limit') ? limit : 10;
  const o = params.has('offset') ? offset : 0;
  return l === null || l < 1 || l > 50 || o === null || o < 0 ? null : { offset: o, limit: l };
}

/** A ListConnectorTasks body: the tasks from `from`, with the totals (`extraTotal` added to the total). */
export function tasksPage(instance: Instance, from: number, limit: number, extraTotal = 0): string {
  return JSON.stringify({
    tasks: instance.tasks.slice(from, from + limit), total_number: (instance.total_number ?? instance.tasks.length) + extraTotal,
    ...(instance.max_tasks === null ? {} : { max_tasks: instance.max_tasks }), quota_tasks: instance.quota_tasks,
  });
}

export interface Instances {
  set(instanceId: string, tasks: Record<string, unknown>[], extras?: InstanceExtras): void;
  remove(instanceId: string): void;
  get(instanceId: string): Instance | undefined;
  /** A ListInstances body: the project's instances, newest first (as the console lists them), from `from`. */
  listPage(project: string, from: number, limit: number): string;
}

export function createInstances(defaultProject: string): Instances {
  const instances = new Map<string, Instance>();
  let created = 0;
  return {
    set(instanceId, tasks, extras = {}) {
      const before = instances.get(instanceId);
      instances.set(instanceId, {
        tasks: [...tasks], max_tasks: extras.max_tasks === undefined ? 18 : extras.max_tasks, quota_tasks: extras.quota_tasks ?? 18, total_number: extras.total_number,
        name: extras.name ?? before?.name ?? `kafka-${instanceId.slice(0, 8)}`, connector_enable: extras.connector_enable ?? before?.connector_enable ?? true,
        project_id: extras.project_id ?? before?.project_id ?? defaultProject, created: before?.created ?? ++created,
      });
    },
    remove(instanceId) { instances.delete(instanceId); },
    get: (instanceId) => instances.get(instanceId),
    listPage(project, from, limit) {
      const all = [...instances.entries()].filter(([, i]) => i.project_id === project).sort(([, a], [, b]) => b.created - a.created);
      const page = all.slice(from, from + limit).map(([id, i]) => ({
        name: i.name, engine: 'kafka', engine_version: '3.x', specification: 'kafka.2u4g.cluster', status: 'RUNNING', instance_id: id,
        connector_enable: i.connector_enable, ...(i.connector_enable ? { connector_id: `connector-${id.slice(0, 8)}` } : {}),
        enterprise_project_id: '0', type: 'cluster',
      }));
      return JSON.stringify({ instances: page, instance_num: all.length });
    },
  };
}
