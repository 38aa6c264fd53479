import { ConfigError, describeError } from '../../errors';
import { type Diagnosis, type Problem, diagnose } from '../../doctor/checks';
import { type LastRun, parseLastRun } from '../../doctor/deployment';
import { type DeploymentReader, createFunctionGraphReader, functionGraphEndpoint } from '../../doctor/functiongraph';
import { parseArgs } from '../args';
import { parseAuditConfig } from '../config';
import { UsageError } from '../usage-error';
import { DOCTOR_REQUEST_TIMEOUT_MS } from '../../retry/policies';
import { type AuditCommand, AuditFailure, plural } from './common';

const SPEC = {
  name: 'doctor',
  synopsis: '<function name|function URN> [--region <region>] [--project-id <id>] [--endpoint <url>] [--json]',
  flags: { region: 'string', 'project-id': 'string', endpoint: 'string', json: 'boolean' },
  positionals: { min: 1, max: 1 },
} as const;
const USAGE = `usage: smart-connect-watch ${SPEC.name} ${SPEC.synopsis}`;
/** urn:fss:<region>:<project_id>:function:<package>:<name>[:<version>] */
const URN = /^urn:fss:([a-z0-9-]+):([0-9a-f]{32}|[\w-]+):function:[\w-]+:[A-Za-z][\w-]{0,63}(?::[\w.-]+)?$/;
const NAME = /^[A-Za-z][\w-]{0,63}$/;

export interface DoctorOptions {
  target: { urn: string; region: string; projectId: string } | { name: string; region: string | undefined; projectId: string | undefined };
  endpoint: string | undefined;
  json: boolean;
}

/** `doctor`: reads the deployed function and names every misconfiguration with its fix; exit 0 healthy, 1 problems. */
export const doctorCommand: AuditCommand<DoctorOptions> = {
  name: SPEC.name,
  synopsis: SPEC.synopsis,
  summary: 'check the deployed function: TIMER trigger, concurrency, retries, agency, variables, last run; exit 1 naming each problem and its fix',
  parse(argv) {
    const { flags, positionals, help } = parseArgs(SPEC, argv);
    if (help) return 'help';
    const arg = positionals[0] as string;
    if (flags.endpoint !== undefined && !/^https?:\/\/[^/\s]+/.test(flags.endpoint)) throw new UsageError(`--endpoint ${flags.endpoint}: not an http(s) URL`, USAGE);
    const urn = URN.exec(arg);
    if (urn) {
      if (flags.region !== undefined && flags.region !== urn[1]) throw new UsageError(`--region ${flags.region} differs from the URN's region ${urn[1]}`, USAGE);
      if (flags['project-id'] !== undefined && flags['project-id'] !== urn[2]) throw new UsageError('--project-id differs from the URN\'s project', USAGE);
      return { target: { urn: arg, region: urn[1]!, projectId: urn[2]! }, endpoint: flags.endpoint, json: flags.json === true };
    }
    if (arg.startsWith('urn:')) throw new UsageError(`${arg}: not a function URN (urn:fss:<region>:<project_id>:function:<package>:<name>[:<version>])`, USAGE);
    if (!NAME.test(arg)) throw new UsageError(`${arg}: not a function name (a letter, then up to 63 letters, digits, _ or -)`, USAGE);
    return { target: { name: arg, region: flags.region, projectId: flags['project-id'] }, endpoint: flags.endpoint, json: flags.json === true };
  },
  async run(ctx, o) {
    const env = ctx.io.env;
    const audit = parseAuditConfig(env);
    const { urn, region } = resolveTarget(o, env);
    const endpoint = o.endpoint ?? (env.FUNCTIONGRAPH_ENDPOINT?.trim() || functionGraphEndpoint(region));
    const reader: DeploymentReader = createFunctionGraphReader({ credentials: audit.credentials, endpoint, projectId: urn.split(':')[3]!, requestTimeoutMs: DOCTOR_REQUEST_TIMEOUT_MS });
    let deployment;
    try {
      deployment = await reader.read(urn);
    } catch (err) {
      throw new AuditFailure(`reading ${urn} at ${endpoint} failed: ${describeError(err)}`);
    }
    let lastRun: LastRun;
    try {
      lastRun = parseLastRun(await ctx.store.readText('state.json'));
    } catch (err) {
      lastRun = { kind: 'unreadable', reason: `${ctx.store.location}state.json: ${describeError(err)}` };
    }
    const result = diagnose(deployment, lastRun, ctx.now);
    const bucket = plainVariable(deployment.config.user_data, 'OBS_BUCKET');
    if (bucket !== undefined && bucket !== audit.obs.bucket) result.notes.push(`state.json was read from bucket ${audit.obs.bucket}, but the function writes to ${bucket}: set OBS_BUCKET (and OBS_PREFIX) as the function has them`);
    if (o.json) ctx.io.out(`${JSON.stringify({ healthy: result.problems.length === 0, function: urn, endpoint, ...result })}\n`);
    else ctx.io.out(`${formatDoctor(urn, result, ctx.style).join('\n')}\n`);
    return result.problems.length === 0 ? 0 : 1;
  },
};

function resolveTarget(o: DoctorOptions, env: Record<string, string | undefined>): { urn: string; region: string } {
  if ('urn' in o.target) return { urn: o.target.urn, region: o.target.region };
  const region = o.target.region ?? (env.WATCH_REGION?.trim() || undefined);
  const projectId = o.target.projectId ?? (env.WATCH_PROJECT_ID?.trim() || undefined);
  const missing = [
    ...(region ? [] : ['the region is required with a function name: --region <region> or WATCH_REGION (or give the function URN)']),
    ...(projectId ? [] : ['the project id is required with a function name: --project-id <id> or WATCH_PROJECT_ID (or give the function URN)']),
  ];
  if (missing.length > 0) throw new ConfigError(missing);
  // The plugin deploys into package "default" and names the version "latest" (serverless-huawei-functions 0.0.10, src/utils/util.ts handlerUrn).
  return { urn: `urn:fss:${region}:${projectId}:function:default:${o.target.name}:latest`, region: region! };
}

function plainVariable(userData: string | null | undefined, name: string): string | undefined {
  try {
    const v: unknown = JSON.parse(userData ?? '{}');
    const value = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[name] : undefined;
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  } catch {
    return undefined;
  }
}

export function formatDoctor(urn: string, r: Diagnosis, style: { red(s: string): string; green(s: string): string; dim(s: string): string; bold(s: string): string }): string[] {
  const lines = [`checked ${urn}`];
  const width = Math.max(0, ...r.problems.map((p) => p.id.length));
  for (const p of r.problems as Problem[]) {
    lines.push(`${style.red(p.id.padEnd(width))}  ${p.problem}`, `${' '.repeat(width)}  fix: ${p.fix}`);
  }
  for (const note of r.notes) lines.push(style.dim(`note: ${note}`));
  lines.push(r.problems.length === 0 ? style.green('healthy: one active TIMER trigger, one run at a time, nothing missing') : style.red(style.bold(`NOT HEALTHY: ${plural(r.problems.length, 'problem')}`)));
  return lines;
}
