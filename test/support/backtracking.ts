/**
 * Regexes that make a backtracking engine (JavaScript's RegExp) take exponential time on a subject that
 * almost matches, each with such a subject. Issue 15 found the first three freezing Pharos for minutes.
 */
export const CATASTROPHIC: readonly (readonly [pattern: string, subject: string])[] = [
  ['(.+)+!', 'node_cpu_seconds_total_'.repeat(4)],
  ['((.*)*)*!', 'x'.repeat(5000)],
  ['(\\w+)+!', 'container_memory_working_set_bytes'.repeat(3)],
  ['(a|aa)+$', `${'a'.repeat(5000)}!`],
  ['(x+x+)+y', 'x'.repeat(5000)],
];
