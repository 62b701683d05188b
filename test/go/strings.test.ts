import test from 'ava';
import { goTrimSpace } from '../../src/go/strings.js';

test('goTrimSpace() - trims Go white space but keeps a byte-order mark', (t) => {
  t.is(goTrimSpace(' \t\n x y \r\n'), 'x y');
  t.is(goTrimSpace('\u00a0x\u3000'), 'x');
  t.is(goTrimSpace('\ufeffx'), '\ufeffx');
});
