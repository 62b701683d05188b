import test from 'ava';
import { goQuote, goTrimSpace } from '../../src/cli/render/go-strings.js';

test('goQuote() - escapes like strconv.Quote', (t) => {
  t.is(goQuote('plain'), '"plain"');
  t.is(goQuote('say "hi"\\'), '"say \\"hi\\"\\\\"');
  t.is(goQuote('a\tb\nc\rd\u0007\b\f\v'), '"a\\tb\\nc\\rd\\a\\b\\f\\v"');
  t.is(goQuote('\u0001\u007f'), '"\\x01\\x7f"');
  t.is(goQuote('\u00a0\u200b'), '"\\u00a0\\u200b"');
  t.is(goQuote('héllo もしもし 😀'), '"héllo もしもし 😀"');
});

test('goTrimSpace() - trims Go white space but keeps a byte-order mark', (t) => {
  t.is(goTrimSpace(' \t\n x y \r\n'), 'x y');
  t.is(goTrimSpace('\u00a0x\u3000'), 'x');
  t.is(goTrimSpace('\ufeffx'), '\ufeffx');
});
