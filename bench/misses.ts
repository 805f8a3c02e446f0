/** For each target a run did not meet, why — with the measurement that shows it (filled in from measured runs). */
import type { Row } from "./stats.js";

const REASONS: [section: string, metric: RegExp, why: string][] = [];

export function explainMisses(rows: Row[]): string {
  const missed = rows.filter((r) => r.met === "no");
  if (!missed.length) return "Every target with a target column was met in this run.\n";
  const lines = missed.map((r) => {
    const reason = REASONS.find(([section, metric]) => section === r.section && metric.test(r.metric));
    return `- **${r.section}: ${r.metric}** — ${reason ? reason[2] : "not met in this run; no explanation recorded for it."}`;
  });
  return `Targets not met in this run, and why:\n${lines.join("\n")}\n`;
}
