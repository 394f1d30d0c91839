import { describe, expect, it } from 'vitest';
import { parseAmMatchers, parseClassicMatchers, parseUtf8Matchers, sortAmMatchers } from './am-matchers.ts';

const short = (ms: { name: string; type: string; value: string }[]) => ms.map((m) => `${m.name}${m.type}${m.value}`);

describe('Alertmanager matchers', () => {
  it('parses the classic forms (pkg/labels of 0.25): braces, unquoted, quoted commas, escapes, trailing comma', () => {
    expect(short(parseClassicMatchers('{foo = "bar", dings != "bums", }'))).toEqual(['foo=bar', 'dings!=bums']);
    expect(short(parseClassicMatchers('foo=bar,dings!=bums'))).toEqual(['foo=bar', 'dings!=bums']);
    expect(short(parseClassicMatchers('{quote="She said: \\"Hi, ladies! That\'s gender-neutral…\\""}'))).toEqual([
      'quote=She said: "Hi, ladies! That\'s gender-neutral…"',
    ]);
    expect(short(parseClassicMatchers('statuscode=~"5.."'))).toEqual(['statuscode=~5..']);
    expect(short(parseClassicMatchers('a:b!~x\\.y'))).toEqual(['a:b!~x\\.y']);
    // Go's regexp refuses an unknown escape (amtool 0.25: "error parsing regexp: invalid escape sequence: `\y`").
    expect(() => parseClassicMatchers('a:b!~x\\y')).toThrow(/invalid escape sequence/);
    expect(() => parseClassicMatchers('foo="bar')).toThrow(/unescaped double quote/);
    expect(() => parseClassicMatchers('"foo.bar"="x"')).toThrow(/bad matcher format/);
    expect(() => parseClassicMatchers('job=~"(node"')).toThrow(/regular expression/);
  });

  it('parses the UTF-8 forms (matcher/parse of 0.27+): quoted names, Go escapes', () => {
    expect(short(parseUtf8Matchers('{"service.name"="checkout", 🙂!~"a|b"}'))).toEqual([
      'service.name=checkout',
      '🙂!~a|b',
    ]);
    expect(short(parseUtf8Matchers('msg="tab\\there"'))).toEqual(['msg=tab\there']);
    expect(() => parseUtf8Matchers('foo=')).toThrow(/label value/);
    expect(() => parseUtf8Matchers('{foo="bar"')).toThrow(/close brace/);
  });

  it('falls back as Alertmanager does: the classic result when it parses, else the UTF-8 one', () => {
    // Both parse, differently: the classic parser keeps the backslash of an unknown escape; the classic wins.
    expect(short(parseAmMatchers('foo="a\\qb"'))).toEqual(['foo=a\\qb']);
    expect(short(parseAmMatchers('"foo.bar"="x"'))).toEqual(['foo.bar=x']);
    expect(() => parseAmMatchers('=x')).toThrow();
  });

  it('sorts as labels.Matchers does: name, value, then type', () => {
    const ms = [
      { name: 'b', type: '=' as const, value: '1' },
      { name: 'a', type: '!=' as const, value: '2' },
      { name: 'a', type: '=' as const, value: '2' },
    ];
    expect(short(sortAmMatchers(ms))).toEqual(['a=2', 'a!=2', 'b=1']);
  });
});
