import { type Change, SEVERITIES, type Severity, severityRank } from '../alerting/change';
import { kindContext } from '../alerting/change-kinds';
import type { NotifyLang } from '../config/config';
import { showInvisible } from '../visible-text';
import type { PartPosition } from './chunk';
import { type ChatTexts, texts } from './i18n';
import { type Escape, asPlainText } from './markup';
import { SEVERITY_MARK } from './render';
import type { Message } from './types';

/** NOTIFY_LANG and NOTIFY_TIMEZONE. */
export interface RenderOptions {
  lang: NotifyLang;
  timezone: string;
}

/** What a platform's payload builder takes: the rendering options and the channel's `mention`. */
export interface ChatBuildOptions extends RenderOptions {
  /** Used only when the message has a critical change. */
  mention?: readonly string[] | undefined;
}

/**
 * One change as a chat line, in parts so that each platform can mark them up. One line each; the
 * untrusted values in them (names, ids, statuses, field paths, types) are already escaped for the
 * platform's markup by the `escape` given to `summarize`, the texts around them are ours.
 */
export interface ChatLine {
  severity: Severity;
  /** A reminder (`still_failing`) about a task or an instance; null for any other change. */
  reminder: 'task' | 'instance' | null;
  marker: string;
  /** The task's name (with its instance when the message spans several), else the instance. */
  subject: string;
  /** `RUNNING → FAILED`, `new task (CREATING)`, … */
  summary: string;
  /** `source OBS_SOURCE, sink NONE`, or null when the task's types are unknown (e.g. a removed task). */
  types: string | null;
}

/** Everything a chat message says, in the configured language and time zone. Pure. */
export interface ChatSummary {
  texts: ChatTexts;
  /** `Smart Connect · prod: 1 critical, 2 warning`, as plain text (for plain-text fields). */
  title: string;
  /** The same title with its instance names escaped for the platform's markup. */
  titleMarkup: string;
  /** The most severe change's severity. */
  worst: Severity;
  total: number;
  /** `Detected 2026-11-21 07:15:00 UTC`. */
  detected: string;
  snapshotId: string;
  /** Most severe first; the contract's order (instance, task, kind) within a severity. */
  lines: ChatLine[];
}

/**
 * Names, ids, statuses, field paths and types are untrusted: each is shown on one line, with its
 * invisible and bidirectional characters as visible `\uXXXX` escapes, clipped (a visible `…`) before
 * it is escaped for the platform (so a clip never cuts an escape), and then escaped.
 */
const MAX_NAME = 120;
const MAX_STATUS = 60;
const MAX_FIELDS = 200;
/** An instance name in the title; the title names at most MAX_SCOPE_NAMES instances. */
const MAX_SCOPE_NAME = 60;
const MAX_SCOPE_NAMES = 3;

/**
 * What a chat message says (pure). `escape` is the platform's escaping of untrusted text for its
 * markup (markup.ts): the lines and `titleMarkup` carry it; `title` is plain text.
 */
export function summarize(message: Message, opts: RenderOptions, escape: Escape = asPlainText): ChatSummary {
  const t = texts(opts.lang);
  const instances = unique(message.changes.map(instanceLabel));
  const lines = message.changes
    .map((c, i) => ({ c, i }))
    .sort((a, b) => severityRank(b.c.severity) - severityRank(a.c.severity) || a.i - b.i)
    .map(({ c }) => chatLine(c, message, t, { withInstance: instances.length > 1, escape, timezone: opts.timezone }));
  const scope = (show: Escape) => {
    const names = instances.slice(0, MAX_SCOPE_NAMES).map((n) => show(visible(n, MAX_SCOPE_NAME)));
    const more = instances.length > MAX_SCOPE_NAMES ? ` +${instances.length - MAX_SCOPE_NAMES}` : '';
    return names.length > 0 ? `${names.join(t.comma)}${more}` : t.product;
  };
  const counts = countsText(lines, t);
  const detectedAt = message.changes.map((c) => c.detected_at).sort()[0] ?? message.taken_at;
  return {
    texts: t,
    title: t.title(scope(asPlainText), counts),
    titleMarkup: t.title(scope(escape), counts),
    worst: lines[0]?.severity ?? 'info',
    total: lines.length,
    detected: t.detected(formatTime(detectedAt, opts.timezone)),
    snapshotId: message.snapshot_id,
    lines,
  };
}

/**
 * `1 critical, 2 warning` in the language of `t`, most severe first, severities with no change left
 * out; lines that are all reminders (a run's burst of `still_failing`) are counted as what they are:
 * `12 tasks still failing`.
 */
export function countsText(lines: readonly Pick<ChatLine, 'severity' | 'reminder'>[], t: ChatTexts): string {
  if (lines.length > 0 && lines.every((l) => l.reminder !== null)) {
    return t.reminders(lines.filter((l) => l.reminder === 'task').length, lines.filter((l) => l.reminder === 'instance').length);
  }
  return t.counts(countBySeverity(lines));
}

export function countBySeverity(lines: readonly Pick<ChatLine, 'severity'>[]): [Severity, number][] {
  return [...SEVERITIES]
    .reverse()
    .map((s): [Severity, number] => [s, lines.filter((l) => l.severity === s).length])
    .filter(([, n]) => n > 0);
}

/** `Detected … · part 2 of 3` (no part label for a message sent whole). */
export function footerText(s: ChatSummary, position: PartPosition): string {
  return position.of > 1 ? `${s.detected} · ${s.texts.part(position.index, position.of)}` : s.detected;
}

/** The last part's exact account of the changes it could not show. */
export function omittedText(s: ChatSummary, omitted: readonly ChatLine[]): string {
  return s.texts.omitted(omitted.length, countsText(omitted, s.texts), s.snapshotId);
}

/** Whether the message calls people: only a critical change does, and only where `mention` is set. */
export function mentions(s: ChatSummary, mention: readonly string[] | undefined): readonly string[] {
  return mention && mention.length > 0 && s.lines.some((l) => l.severity === 'critical') ? mention : [];
}

/** `2026-11-21 15:15:00 Asia/Shanghai (UTC+8)`, or `… UTC`; the zone is an IANA name checked by the config. */
export function formatTime(iso: string, timeZone: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZoneName: 'shortOffset',
    })
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  const local = `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
  const offset = (parts.timeZoneName ?? 'GMT').replace(/^GMT/, 'UTC');
  if (/^UTC([+-]0+(:00)?)?$/.test(offset)) return `${local} ${timeZone === 'UTC' || timeZone === 'Etc/UTC' ? 'UTC' : `${timeZone} (UTC)`}`;
  return `${local} ${timeZone} (${offset})`;
}

function chatLine(c: Change, message: Message, t: ChatTexts, { withInstance, escape, timezone }: { withInstance: boolean; escape: Escape; timezone: string }): ChatLine {
  const value = (text: string, max: number) => escape(visible(text, max));
  const task = c.task_name ?? c.task_id;
  const instance = value(instanceLabel(c), MAX_NAME);
  const subject = task ? (withInstance ? `${instance} / ${value(task, MAX_NAME)}` : value(task, MAX_NAME)) : instance;
  const types = c.task_id ? message.task_types?.[c.task_id] : undefined;
  const fields = (c.fields ?? []).map((f) => visible(f, MAX_FIELDS)).join(t.comma);
  const summary = t.kind[c.kind](value(c.from ?? '?', MAX_STATUS), value(c.to ?? '?', MAX_STATUS), escape(clip(fields, MAX_FIELDS)), kindContext(c, timezone));
  return {
    severity: c.severity,
    reminder: c.kind !== 'still_failing' ? null : c.task_id !== null ? 'task' : 'instance',
    marker: SEVERITY_MARK[c.severity],
    subject,
    summary,
    types: types ? t.types(value(types.source_type ?? '-', MAX_STATUS), value(types.sink_type ?? '-', MAX_STATUS)) : null,
  };
}

/** An untrusted value as visible, one-line, clipped plain text. */
function visible(text: string, max: number): string {
  return clip(showInvisible(text), max);
}

function instanceLabel(c: Change): string {
  return c.instance_name ?? c.instance_id ?? 'watcher';
}

/** One line, at most `max` characters; a cut is visible (`…`). */
function clip(s: string, max: number): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  const chars = [...flat];
  return chars.length <= max ? flat : `${chars.slice(0, max - 1).join('')}…`;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
