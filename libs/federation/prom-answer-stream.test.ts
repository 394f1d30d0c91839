import { describe, expect, it } from 'vitest';
import { fromPromSample, memberFloat, toPromSample, type CompactSeries } from './compact-series.ts';
import type { PromSample } from './federation.types.ts';
import { PromAnswerDecoder, WHOLE_ANSWER_BYTES } from './prom-answer-decoder.ts';
import { PromAnswerStream } from './prom-answer-stream.ts';

/** Decodes `text` fed in pieces cut at `cuts` (byte offsets of its UTF-8). */
function decode(text: string, cuts: number[] = []): unknown {
  const bytes = Buffer.from(text, 'utf8');
  const s = new PromAnswerStream();
  let from = 0;
  for (const at of cuts) {
    s.push(bytes.subarray(from, at));
    from = at;
  }
  s.push(bytes.subarray(from));
  return s.end();
}

/** What JSON.parse makes of the answer, its vector / matrix series in the compact form. */
function expected(text: string): unknown {
  const body = JSON.parse(text) as { data?: { result?: unknown } };
  const result = body.data?.result;
  if (Array.isArray(result) && result.every((r) => typeof r === 'object' && r !== null && !Array.isArray(r)))
    (body.data as { result: unknown }).result = result.map((r) => fromPromSample(r as PromSample));
  return body;
}

const ANSWERS = [
  '{"status":"success","data":{"resultType":"matrix","result":[]}}',
  '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"up","job":"a"},"values":[[1700000000,"1"],[1700000030.5,"0.25"],[1700000060.125,"-3e-07"]]},{"metric":{},"values":[[1.001,"NaN"],[2,"+Inf"],[3,"-Inf"],[4,"-0"],[5,"0.30000000000000004"],[6,"123456789012345680000"]]}]}}',
  ' { "status" : "success" , "data" : { "resultType" : "vector" , "result" : [ { "metric" : { "a" : "}{][,:\\"" } , "value" : [ 1000.5 , "42" ] } ] } , "warnings" : [ "w1" ] } ',
  '{"warnings":["x"],"infos":["i"],"data":{"result":[{"metric":{"k":"\\u00e9\\u4e2d\\ud83d\\ude00","é":"ü\\n\\t","__proto__":"p"},"values":[[1,"1"]]}],"resultType":"matrix"},"status":"success"}',
  '{"status":"success","data":{"resultType":"scalar","result":[1000,"0.5"]}}',
  '{"status":"success","data":{"resultType":"string","result":[1000,"a \\"b\\""]}}',
  '{"status":"error","errorType":"bad_data","error":"invalid parameter \\"query\\": 1:1: parse error"}',
  '{"status":"error","errorType":"execution","error":"query processing would load too many samples","data":null}',
  '{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"h"},"histogram":[1000,{"count":"3","sum":"1.5","buckets":[[0,"-0.001","0.001","1"],[3,"1","2","2"]]}]}]}}',
  '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"h"},"histograms":[[1000,{"count":"3","sum":"1.5"}],[1060,{"count":"4","sum":"2"}]]},{"metric":{"m":"both"},"values":[[1000,"1"]],"histograms":[[1060,{"count":"1","sum":"1"}]]}]}}',
  '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"a":"b"},"values":[[1e3,"1.5E2"],[1000.000,"00.5"],[-1,"0x10"],[2,""],[3,"\\u0031"]]}]},"meta":{"data":{"result":[1]},"x":[true,false,null,-0.5e-3]}}',
  // Points in the one loop (PromAnswerStream.elements) and out of it: whitespace, an escape, keys in any order.
  '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"a":"1"},"values":[[1,"1"],[2,"NaN"],[3,"+Inf"],[4,"-Inf"],[5,"1e-07"],[6,"0.1"],[7,"-0"],[8,""]]},{"metric":{},"values":[ [1,"1"],[2 ,"2"], [3,"\\u0033"],[4,"4"] ,[5, "5"],[6,"6" ],[7,"7"],\n[8,"8"]]},{"values":[[9,"9"]],"metric":{"b":"2"}},{"values":[],"metric":{}}]}}',
];

const BAD = [
  '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"1"],]}]}}',
  '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"1",2]]}]}}',
  '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[["1","1"]]}]}}',
  '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1]]}]}}',
  '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[{"t":1}]}]}}',
  '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[1,2]}]}}',
  '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"a" "b"},"values":[]}]}}',
  '{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"1"]}]}}x',
  '{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[01,"1"]}]}}',
  '{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1.,"1"]}]}}',
  '{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"1\u0001"]}]}}',
  '{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"1"]}]]',
  '{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"1"]}]}}}',
  '{"status":tru}',
  '',
  '<html>502 Bad Gateway</html>',
  ...[
    '[[1,"1"][2,"2"]]',
    '[[1,"1"],[2,"2",3]]',
    '[[1,"1"],[01,"2"]]',
    '[[1,"1"],[1.,"2"]]',
    '[[1,"1"],[-,"2"]]',
    '[[1,"1"],[2,"a\u0001"]]',
    '[[1,"1"],[2,2]]',
    '[[1,"1"],["2","2"]]',
    '[[1,"1"],[2,"2"]}',
    '[[1,"1"],[2,"2"],]',
    '[[1,"1"],[2,"2"]',
    '[[1,"1"],[2,"2"]]]',
  ].map((points) => `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":${points}}]}}`),
];

/** Deterministic pseudo-random numbers (a fixed LCG), so a failure names its seed. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

describe('PromAnswerStream', () => {
  it('gives what JSON.parse gives, series in compact arrays, however the body is cut (every byte)', () => {
    for (const text of ANSWERS) {
      const want = expected(text);
      expect(decode(text), text).toEqual(want);
      const n = Buffer.byteLength(text);
      for (let at = 0; at <= n; at++) expect(decode(text, [at]), `${text} cut at ${at}`).toEqual(want);
      // One byte a chunk: every token crosses a boundary.
      expect(
        decode(
          text,
          Array.from({ length: n }, (_, i) => i),
        ),
        text,
      ).toEqual(want);
    }
  });

  it('reads a big matrix cut at random places as JSON.parse does, NaN and ±Inf included', () => {
    const next = random(7);
    const series = Array.from({ length: 40 }, (_, i) => ({
      metric: { __name__: 'x', i: String(i), esc: i % 7 === 0 ? 'a"\\b' : 'plain' },
      values: Array.from({ length: 300 }, (_, k): [number, string] => {
        const r = next();
        const v =
          r < 0.02 ? 'NaN' : r < 0.04 ? '+Inf' : r < 0.05 ? '-Inf' : memberFloat((next() - 0.5) * 10 ** (k % 30));
        return [1_700_000_000 + k * 15.5, v];
      }),
    }));
    const text = JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: series } });
    const want = expected(text);
    for (let seed = 1; seed <= 5; seed++) {
      const r = random(seed);
      const cuts = Array.from({ length: 200 }, () => Math.floor(r() * text.length)).sort((a, b) => a - b);
      expect(decode(text, cuts), `seed ${seed}`).toEqual(want);
    }
  });

  it('refuses malformed answers and points that are not [time, "value"] with a SyntaxError', () => {
    for (const text of BAD) expect(() => decode(text), text).toThrow(SyntaxError);
  });

  it('refuses a truncated answer, wherever it stops, instead of giving part of it', () => {
    for (const text of [ANSWERS[1], ANSWERS[ANSWERS.length - 1]] as string[])
      for (let at = 0; at < text.length; at++)
        expect(() => decode(text.slice(0, at)), `cut at ${at}`).toThrow(SyntaxError);
  });

  it('refuses malformed points however the answer is cut (every byte)', () => {
    for (const text of BAD)
      for (let at = 0; at <= text.length; at++)
        expect(() => decode(text, [at]), `${text} cut at ${at}`).toThrow(SyntaxError);
  });

  it('reads a matrix in its one loop as JSON.parse does, cut at every byte and one byte a chunk', () => {
    const next = random(11);
    const series = Array.from({ length: 3 }, (_, i) => ({
      metric: { __name__: 'x', i: String(i) },
      values: Array.from({ length: 10 }, (_, k): [number, string] => {
        const r = next();
        const v =
          r < 0.1 ? 'NaN' : r < 0.2 ? '+Inf' : r < 0.25 ? '-0' : memberFloat((next() - 0.5) * 10 ** ((k % 25) - 12));
        return [1_700_000_000 + k * 30 + (k % 3) * 0.001, v];
      }),
    }));
    const text = JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: series } });
    const want = expected(text);
    const n = Buffer.byteLength(text);
    for (let at = 0; at <= n; at++) expect(decode(text, [at]), `cut at ${at}`).toEqual(want);
    for (let at = 0; at + 7 <= n; at += 5) expect(decode(text, [at, at + 7]), `cut at ${at}, ${at + 7}`).toEqual(want);
    expect(
      decode(
        text,
        Array.from({ length: n }, (_, i) => i),
      ),
    ).toEqual(want);
  });

  it("writes values in Prometheus's own float format (util/jsonutil.MarshalFloat, as 2.42 and 3.16 answer)", () => {
    const cases: [number, string][] = [
      [3.126727836894477e-10, '3.126727836894477e-10'],
      [-1.604099605805186e-8, '-1.604099605805186e-08'],
      [1e-7, '1e-07'],
      [0.000001, '0.000001'],
      [1e21, '1e+21'],
      [123456789012345680000, '123456789012345680000'],
      [0.30000000000000004, '0.30000000000000004'],
      [-0, '-0'],
      [0, '0'],
      [NaN, 'NaN'],
      [Infinity, '+Inf'],
      [-Infinity, '-Inf'],
    ];
    for (const [v, text] of cases) expect(memberFloat(v), text).toBe(text);
  });

  it('writes a passed-through series as the member wrote it', () => {
    for (const text of ANSWERS.slice(0, 4).concat(ANSWERS.slice(8, 10))) {
      const body = JSON.parse(text) as { data: { result: PromSample[] } };
      const got = decode(text) as { data: { result: CompactSeries[] } };
      expect(got.data.result.map(toPromSample), text).toEqual(body.data.result);
    }
  });
});

/** Decodes `text` with PromAnswerDecoder (parsed whole below `wholeBytes`), fed in pieces cut at `cuts`. */
function decodeWith(text: string, wholeBytes: number, cuts: number[] = []): unknown {
  const bytes = Buffer.from(text, 'utf8');
  const d = new PromAnswerDecoder(wholeBytes);
  let from = 0;
  for (const at of [...cuts, bytes.length]) {
    d.push(bytes.subarray(from, at));
    from = at;
  }
  return d.end();
}

describe('PromAnswerDecoder: small answers parsed whole, the rest streamed', () => {
  it('gives what the stream gives, whole or switched to the stream at any byte', () => {
    for (const text of ANSWERS) {
      const want = decode(text);
      expect(decodeWith(text, WHOLE_ANSWER_BYTES), text).toEqual(want);
      const n = Buffer.byteLength(text);
      for (let at = 0; at <= n; at++) {
        expect(decodeWith(text, WHOLE_ANSWER_BYTES, [at]), `${text} cut at ${at}`).toEqual(want);
        expect(decodeWith(text, at, [at, Math.min(n, at + 3)]), `${text} streamed past ${at}`).toEqual(want);
      }
    }
  });

  it('refuses what the stream refuses with a SyntaxError, truncated answers included', () => {
    for (const text of BAD) expect(() => decodeWith(text, WHOLE_ANSWER_BYTES), text).toThrow(SyntaxError);
    const text = ANSWERS[1] as string;
    for (let at = 0; at < text.length; at++)
      expect(() => decodeWith(text.slice(0, at), WHOLE_ANSWER_BYTES), `cut at ${at}`).toThrow(SyntaxError);
  });

  it("keeps the order of a series' points when it has both `value` and `values`, as the stream does", () => {
    const text =
      '{"data":{"result":[{"values":[[1,"1"]],"metric":null,"value":[2,"2"],"x":{"values":[3]}},[1,"a"],7]}}';
    expect(decodeWith(text, WHOLE_ANSWER_BYTES)).toEqual(decode(text));
  });
});
