import { describe, expect, it } from 'vitest';
import { EnvelopeStream } from './envelope-stream.ts';

/** Decodes `text` fed in pieces cut at `cuts`. */
function decode(text: string, cuts: number[]): unknown {
  const s = new EnvelopeStream();
  let from = 0;
  for (const at of [...cuts].sort((a, b) => a - b)) {
    s.push(text.slice(from, at));
    from = at;
  }
  s.push(text.slice(from));
  return s.end();
}

/** Deterministic pseudo-random numbers (a fixed LCG), so a failure names its seed. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

const ANSWERS = [
  '{"status":"success","data":[]}',
  '{"status":"success","data":[{"__name__":"up","job":"a"},{"__name__":"up","job":"b"}]}',
  ' { "status" : "success" , "data" : [ { "a" : "}{][,:\\"" } , {"b":"\\\\"} ] , "warnings" : ["w1"] } ',
  '{"warnings":["x"],"data":[{"k":"\\u00e9\\u4e2d\\ud83d\\ude00","l":"\\n\\t"}],"status":"success"}',
  '{"status":"success","data":["a","b\\"c",""]}',
  '{"status":"success","data":[1,-2.5e3,true,null,false]}',
  '{"status":"success","data":[[1,"x"],{"n":{"deep":[1,{"x":"]"}]}}]}',
  '{"status":"error","errorType":"bad_data","error":"invalid parameter \\"match[]\\""}',
  '{"status":"success","data":{"resultType":"vector","result":[]}}',
  '{"status":"success","meta":{"data":[1,2]},"data":[{"x":"y"}]}',
  '{"status":"success","data":[{"é":"ü"}],"dätä":[1]}',
];

const BAD = [
  '{"status":"success","data":[{"a":"b"},]}',
  '{"status":"success","data":[{"a":"b"} {"c":"d"}]}',
  '{"status":"success","data":[,{"a":"b"}]}',
  '{"status":"success","data":[{"a":"b"}',
  '{"status":"success","data":[{"a":"b',
  '{"status":"success","data":[{"a":"b"}]',
  '{"status":"success","data":[{"a":"b"}]}x',
  '{"status":"success","data":[{"a":b}]}',
  '',
  '<html>502 Bad Gateway</html>',
];

describe('EnvelopeStream', () => {
  it('gives what JSON.parse gives, however the body is cut', () => {
    const next = random(42);
    for (const text of ANSWERS) {
      expect(decode(text, [])).toEqual(JSON.parse(text));
      for (let cut = 0; cut <= text.length; cut++) expect(decode(text, [cut])).toEqual(JSON.parse(text));
      for (let round = 0; round < 200; round++) {
        const cuts = Array.from({ length: 1 + Math.floor(next() * 6) }, () => Math.floor(next() * text.length));
        expect(decode(text, cuts), `${text} cut at ${cuts.join(',')}`).toEqual(JSON.parse(text));
      }
    }
  });

  it('throws a SyntaxError wherever JSON.parse would, however the body is cut', () => {
    for (const text of BAD) {
      expect(() => JSON.parse(text)).toThrow(SyntaxError);
      for (let cut = 0; cut <= text.length; cut++) expect(() => decode(text, [cut]), text).toThrow(SyntaxError);
    }
  });

  it('decodes a large series answer in chunks the size a socket delivers', () => {
    const data = Array.from({ length: 5000 }, (_, i) => ({
      __name__: 'bench_series',
      pod: `p-${i}`,
      ns: `n"${i % 7}`,
    }));
    const text = JSON.stringify({ status: 'success', data });
    const cuts = Array.from({ length: Math.floor(text.length / 16_384) }, (_, i) => (i + 1) * 16_384 - (i % 3));
    expect(decode(text, cuts)).toEqual({ status: 'success', data });
  });
});
