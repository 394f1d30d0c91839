/**
 * Alertmanager-compatible label-set fingerprint (prometheus/common model.LabelSet.Fingerprint): FNV-1a 64 over
 * the label names in sorted order, each name and value followed by the separator byte 0xff, printed as 16
 * lowercase hex digits. The same labels give the same id in Pharos, Prometheus and Alertmanager.
 */
const OFFSET = 0xcbf29ce484222325n;
const PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;

export function fingerprint(labels: Readonly<Record<string, string>>): string {
  let h = OFFSET;
  const add = (bytes: Uint8Array) => {
    for (const b of bytes) {
      h ^= BigInt(b);
      h = (h * PRIME) & MASK;
    }
  };
  const enc = new TextEncoder();
  const sep = new Uint8Array([0xff]);
  for (const name of Object.keys(labels).sort()) {
    add(enc.encode(name));
    add(sep);
    add(enc.encode(labels[name] as string));
    add(sep);
  }
  return h.toString(16).padStart(16, '0');
}
