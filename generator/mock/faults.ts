/** Fault injection rules for the emulator, applied per route with seeded randomness. */

export type Route = "submit" | "status" | "result" | "cancel" | "models" | "media";

export interface FaultRule {
  /** Which endpoint; all when omitted. */
  route?: Route;
  /** Answer with this HTTP status and an error body. */
  status?: number;
  /** RunComfy `error_code` for the error body. */
  errorCode?: number;
  /** Retry-After header (seconds) with the status. */
  retryAfterSeconds?: number;
  /** Close the connection without answering. */
  drop?: boolean;
  /** Answer 200 with a body that is not JSON. */
  malformed?: boolean;
  /** Answer with the status and an error message that echoes the request's Authorization header (a hostile server). */
  echoToken?: boolean;
  /** Answer 200 with a RunComfy error body (`error_code`), as some gateways do. */
  okWithErrorCode?: boolean;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Apply after the request was handled (a submit creates its job, then the fault hits the answer). */
  after?: boolean;
  /** Chance per request, 0–1. Default 1. */
  probability?: number;
  /** Apply at most this many times. */
  times?: number;
}

/** A small seeded PRNG (mulberry32), so fault runs repeat. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultPlan {
  private used = new Map<FaultRule, number>();
  constructor(
    private rules: FaultRule[],
    private random: () => number,
  ) {}

  set(rules: FaultRule[]) {
    this.rules = rules;
    this.used.clear();
  }

  /**
   * The faults for one request: every matching delay, and at most one answering fault (the first rule
   * that fires). A rule counts towards `times` only when it is applied.
   */
  pick(route: Route): FaultRule[] {
    const fired: FaultRule[] = [];
    let answered = false;
    for (const rule of this.rules) {
      if (rule.route && rule.route !== route) continue;
      const answers = !!(rule.drop || rule.malformed || rule.status || rule.okWithErrorCode || rule.echoToken);
      if (answers && answered) continue;
      const used = this.used.get(rule) ?? 0;
      if (rule.times !== undefined && used >= rule.times) continue;
      if (this.random() >= (rule.probability ?? 1)) continue;
      this.used.set(rule, used + 1);
      fired.push(rule);
      answered ||= answers;
    }
    return fired;
  }
}
