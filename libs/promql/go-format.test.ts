import { describe, expect, it } from 'vitest';
import { formatG } from './go-format.ts';

describe("Go's %g and %.2g", () => {
  it.each([
    // Printed by Go 1.26: fmt.Printf("%g|%.2g", f, f).
    [-0.5, '-0.5|-0.5'],
    [2, '2|2'],
    [1e6, '1e+06|1e+06'],
    [123456, '123456|1.2e+05'],
    [1234567, '1.234567e+06|1.2e+06'],
    [0.0001, '0.0001|0.0001'],
    [0.00001, '1e-05|1e-05'],
    [0.05, '0.05|0.05'],
    [123, '123|1.2e+02'],
    [3.14159, '3.14159|3.1'],
  ])('%d prints as %s', (v, want) => {
    expect(`${formatG(v)}|${formatG(v, 2)}`).toBe(want);
  });
});
