import type { InhibitRuleConfig } from '../../../libs/config/sections/alerting.ts';
import { amConfigMatchers } from './config-matchers.ts';
import { matchesAll, type Matcher } from './matchers.ts';

interface InhibitRule {
  source: Matcher[];
  target: Matcher[];
  equal: string[];
}

/**
 * Alertmanager's inhibition (inhibit/inhibit.go): a target alert is muted while a firing source alert exists
 * with the same values of the `equal` labels (a missing label equals an empty one); an alert never inhibits itself.
 */
export class Inhibitor {
  private readonly rules: InhibitRule[];

  constructor(config: readonly InhibitRuleConfig[]) {
    this.rules = config.map((r) => ({
      source: amConfigMatchers({ matchers: r.source_matchers, match: r.source_match, match_re: r.source_match_re }),
      target: amConfigMatchers({ matchers: r.target_matchers, match: r.target_match, match_re: r.target_match_re }),
      equal: r.equal ?? [],
    }));
  }

  /** Fingerprints of the firing alerts inhibiting `labels`, empty when none. */
  inhibitedBy(
    fp: string,
    labels: Readonly<Record<string, string>>,
    firing: readonly { fingerprint: string; labels: Record<string, string> }[],
  ): string[] {
    const out: string[] = [];
    for (const rule of this.rules) {
      if (!matchesAll(rule.target, labels)) continue;
      // An alert matching both sides is not inhibited by alerts that also match both (docs/configuration.md,
      // <inhibit_rule>), itself included.
      const both = matchesAll(rule.source, labels);
      for (const src of firing) {
        if (src.fingerprint === fp || !matchesAll(rule.source, src.labels)) continue;
        if (both && matchesAll(rule.target, src.labels)) continue;
        if (rule.equal.every((l) => (src.labels[l] ?? '') === (labels[l] ?? ''))) out.push(src.fingerprint);
      }
    }
    return out;
  }
}
