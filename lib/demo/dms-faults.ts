// What a test injects into the DMS emulator: faults (what the answer is) and gates (when it is given).
import { DMS_ERR } from './dms-api';

/** `times`: how many requests the fault affects before it clears itself (default: until cleared). */
export type DmsFault =
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string>; times?: number }
  | { kind: 'not-json'; times?: number }
  | { kind: 'latency'; ms: number; times?: number }
  | { kind: 'hang'; times?: number }
  /** The connection is dropped without an answer (a network error). */
  | { kind: 'reset'; times?: number }
  /** `total_number` grows by `by` on each answer (tasks created while a client pages). */
  | { kind: 'moving-total'; by: number; times?: number }
  /** Every answer is the first page, whatever the offset (a pager that ignores `offset`). */
  | { kind: 'ignore-offset'; times?: number }
  /** `ListConnectorTasks` answers that Smart Connect is not enabled (ListInstances may still say it is). */
  | { kind: 'connector-off'; times?: number };

/** A fault limited to the requests at one `offset` (e.g. one page of ListInstances). */
export type DmsPageFault = DmsFault & { atOffset?: number };
type ActiveFault = DmsPageFault & { left?: number; used: number };

/** The faults set, by key (an instance id, or `list <project>`). */
export function createFaults() {
  const faults = new Map<string, ActiveFault>();
  return {
    set(key: string, fault: DmsPageFault | null): void {
      if (fault === null || (fault.times !== undefined && fault.times <= 0)) faults.delete(key);
      else faults.set(key, { ...fault, left: fault.times, used: 0 });
    },
    /** The active fault for `key` at `offset`, counting one use of it. */
    take(key: string, offset: number): ActiveFault | undefined {
      const fault = faults.get(key);
      if (!fault || (fault.atOffset !== undefined && fault.atOffset !== offset)) return undefined;
      fault.used++;
      if (fault.left !== undefined && --fault.left <= 0) faults.delete(key);
      return fault;
    },
  };
}

/** How an answer can be given: the normal page from an offset, any body, no answer at all, or later. */
export interface Answer {
  ok(from: number, extraTotal?: number): void;
  send(status: number, body: string, headers?: Record<string, string>): void;
  /** Drops the connection (a network error). */
  drop(): void;
  later(ms: number, then: () => void): void;
}

/** Answers a request at `offset` with its page, unless the fault says otherwise (both APIs). */
export function answerWith(fault: ActiveFault | undefined, offset: number, answer: Answer): void {
  switch (fault?.kind) {
    case undefined: return answer.ok(offset);
    case 'reset': return answer.drop();
    case 'moving-total': return answer.ok(offset, fault.by * fault.used);
    case 'ignore-offset': return answer.ok(0);
    case 'connector-off': return answer.send(400, JSON.stringify(DMS_ERR.connectorOff));
    case 'status': return answer.send(fault.status, JSON.stringify(fault.body ?? DMS_ERR.internal), fault.headers);
    case 'not-json': return answer.send(200, '<html><body><h1>Service temporarily unavailable</h1></body></html>', { 'content-type': 'text/html;charset=UTF-8' });
    case 'hang': return; // never answered; close() destroys the socket
    case 'latency': return answer.later(fault.ms, () => answer.ok(offset));
  }
}

/** A barrier the test opens (see DmsEmulator.gate). */
export interface Gate<R> {
  /** Resolves with the records of the held requests once `count` are held. */
  reached: Promise<R[]>;
  /** Answers the held requests and lets every later one through. */
  release(): void;
}

/** The gates set: each holds the first `count` requests matching its predicate until released. */
export function createGates<R>() {
  type Held = { rec: R; go: () => void };
  const gates: { matches: (r: R) => boolean; count: number; held: Held[]; open: boolean; reached: (r: R[]) => void }[] = [];
  return {
    add(matches: (r: R) => boolean, count: number): Gate<R> {
      let reached!: (r: R[]) => void;
      const promise = new Promise<R[]>((resolve) => (reached = resolve));
      const gate = { matches, count, held: [] as Held[], open: false, reached };
      gates.push(gate);
      return {
        reached: promise,
        release() {
          gate.open = true;
          const i = gates.indexOf(gate);
          if (i >= 0) gates.splice(i, 1);
          for (const h of gate.held.splice(0)) h.go();
        },
      };
    },
    /** Runs `go` now, or holds it when a gate that is not yet full matches `rec`. */
    pass(rec: R, go: () => void): void {
      const gate = gates.find((g) => !g.open && g.held.length < g.count && g.matches(rec));
      if (!gate) return go();
      gate.held.push({ rec, go });
      if (gate.held.length === gate.count) gate.reached(gate.held.map((h) => h.rec));
    },
    /** Forgets every gate and what it holds (the emulator is closing: their connections are cut). */
    clear(): void { gates.length = 0; },
  };
}
