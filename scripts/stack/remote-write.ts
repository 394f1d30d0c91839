// A small Prometheus remote-write 1.0 client for the stack's native-histogram data: prompb.WriteRequest encoded by
// hand (prompb/types.proto, remote.proto at v0.316.0) and snappy-framed as literals only (a valid snappy block:
// https://github.com/google/snappy/blob/main/format_description.txt), posted to --web.enable-remote-write-receiver.
import type { NativeHistogramSample, NativeHistogramSeries } from '../../test/fixtures/prometheus/native-histograms.ts';

class ProtoWriter {
  private readonly chunks: Buffer[] = [];
  private size = 0;

  private push(b: Buffer): void {
    this.chunks.push(b);
    this.size += b.length;
  }

  varint(n: bigint | number): this {
    let v = BigInt.asUintN(64, BigInt(n));
    const out: number[] = [];
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v !== 0n) byte |= 0x80;
      out.push(byte);
    } while (v !== 0n);
    this.push(Buffer.from(out));
    return this;
  }

  private key(field: number, wire: number): this {
    return this.varint((field << 3) | wire);
  }

  uint(field: number, n: number | bigint): this {
    return this.key(field, 0).varint(n);
  }

  /** sint32/sint64: zigzag. */
  sint(field: number, n: number): this {
    const v = BigInt(n);
    return this.key(field, 0).varint(v >= 0n ? v << 1n : (-v << 1n) - 1n);
  }

  double(field: number, v: number): this {
    const b = Buffer.alloc(8);
    b.writeDoubleLE(v);
    this.key(field, 1).push(b);
    return this;
  }

  bytes(field: number, b: Buffer): this {
    this.key(field, 2).varint(b.length).push(b);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, Buffer.from(s, 'utf8'));
  }

  message(field: number, build: (w: ProtoWriter) => void): this {
    const w = new ProtoWriter();
    build(w);
    return this.bytes(field, w.finish());
  }

  /** A packed repeated sint64. */
  packedSint(field: number, values: number[]): this {
    if (values.length === 0) return this;
    const w = new ProtoWriter();
    for (const v of values) {
      const b = BigInt(v);
      w.varint(b >= 0n ? b << 1n : (-b << 1n) - 1n);
    }
    return this.bytes(field, w.finish());
  }

  finish(): Buffer {
    return Buffer.concat(this.chunks, this.size);
  }
}

/** Sparse bucket counts (index → absolute count) as spans and deltas of an integer histogram. */
function spansAndDeltas(buckets: ReadonlyMap<number, number>): {
  spans: { offset: number; length: number }[];
  deltas: number[];
} {
  const idx = [...buckets.keys()].sort((a, b) => a - b);
  const spans: { offset: number; length: number }[] = [];
  const deltas: number[] = [];
  let prevIdx: number | undefined;
  let prevCount = 0;
  for (const i of idx) {
    if (prevIdx !== undefined && i === prevIdx + 1) (spans[spans.length - 1] as { length: number }).length++;
    else spans.push({ offset: prevIdx === undefined ? i : i - prevIdx - 1, length: 1 });
    const c = buckets.get(i) as number;
    deltas.push(c - prevCount);
    prevCount = c;
    prevIdx = i;
  }
  return { spans, deltas };
}

function writeHistogram(w: ProtoWriter, h: NativeHistogramSample): void {
  w.uint(1, h.count).double(3, h.sum).sint(4, h.schema).double(5, h.zeroThreshold).uint(6, h.zeroCount);
  const neg = spansAndDeltas(h.negative);
  for (const s of neg.spans) w.message(8, (m) => m.sint(1, s.offset).uint(2, s.length));
  w.packedSint(9, neg.deltas);
  const pos = spansAndDeltas(h.positive);
  for (const s of pos.spans) w.message(11, (m) => m.sint(1, s.offset).uint(2, s.length));
  w.packedSint(12, pos.deltas);
  w.uint(15, h.timestampMs);
}

export function encodeWriteRequest(series: readonly NativeHistogramSeries[]): Buffer {
  const w = new ProtoWriter();
  for (const s of series) {
    w.message(1, (ts) => {
      for (const [name, value] of Object.entries(s.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        ts.message(1, (l) => l.string(1, name).string(2, value));
      for (const h of s.samples) ts.message(4, (m) => writeHistogram(m, h));
    });
  }
  return w.finish();
}

/** Snappy block format with literal elements only (no compression, always valid). */
export function snappyLiterals(data: Buffer): Buffer {
  const out: Buffer[] = [];
  const len = new ProtoWriter().varint(data.length).finish();
  out.push(len);
  for (let i = 0; i < data.length; i += 65536) {
    const chunk = data.subarray(i, Math.min(i + 65536, data.length));
    const tag = Buffer.alloc(3);
    tag[0] = 61 << 2; // literal, length-1 in the next 2 bytes (little endian)
    tag.writeUInt16LE(chunk.length - 1, 1);
    out.push(tag, chunk);
  }
  return Buffer.concat(out);
}

export async function remoteWrite(
  url: string,
  series: readonly NativeHistogramSeries[],
  signal?: AbortSignal,
): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-protobuf',
      'content-encoding': 'snappy',
      'x-prometheus-remote-write-version': '0.1.0',
    },
    body: new Uint8Array(snappyLiterals(encodeWriteRequest(series))),
    ...(signal ? { signal } : {}),
  });
  if (res.status >= 300) throw new Error(`remote write to ${url}: HTTP ${res.status} ${await res.text()}`);
}
