/** Go fmt behaviour: %v of each value kind, printf verbs with flags/width/precision, print/println. */
import test from 'ava';
import { formatValue } from '../../../src/graph/template/index.js';
import { sprint, sprintf, sprintln } from '../../../src/graph/template/printf.js';
import { formatFloat } from '../../../src/graph/template/floats.js';
import { render } from './helpers.js';

class Point {
  X = 1;
  Y = 'two';
}

const formats = test.macro({
  exec(t, value: unknown, want: string) {
    t.is(formatValue(value), want);
  },
  title: (provided, _value: unknown, want: string) => provided ?? `formatValue() - ${want}`,
});

test(formats, 'str', 'str');
test(formats, 42, '42');
test(formats, -7, '-7');
test(formats, 1.5, '1.5');
test(formats, 0.1 + 0.2, '0.30000000000000004');
test(formats, 1e21, '1e+21');
test(formats, 1e-5, '1e-05');
test(formats, 0.0001, '0.0001');
test(formats, 123456.789, '123456.789');
test(formats, 1234567.5, '1.2345675e+06');
test(formats, 2 ** 53, '9.007199254740992e+15');
test(formats, Number.NaN, 'NaN');
test(formats, Number.POSITIVE_INFINITY, '+Inf');
test(formats, Number.NEGATIVE_INFINITY, '-Inf');
test(formats, true, 'true');
test(formats, null, '<nil>');
test(formats, undefined, '<no value>');
test(formats, [1, 'a', [2, 'b c']], '[1 a [2 b c]]');
test(formats, [], '[]');
test(formats, [null, undefined], '[<nil> <nil>]');
test(formats, { b: 1, a: [1, 2] }, 'map[a:[1 2] b:1]');
test(formats, {}, 'map[]');
test(formats, { k: null }, 'map[k:<nil>]');
test(formats, new Point(), '&{1 two}');

const printfs = test.macro({
  exec(t, format: string, args: unknown[], want: string) {
    t.is(sprintf(format, args), want);
  },
  title: (provided, format: string, args: unknown[]) => provided ?? `sprintf(${JSON.stringify(format)}, ${JSON.stringify(args)})`,
});

test(printfs, '%d', [42], '42');
test(printfs, '%5d|%-5d|%05d', [42, 42, 42], '   42|42   |00042');
test(printfs, '%+d|% d', [5, 5], '+5| 5');
test(printfs, '%05d', [-42], '-0042');
test(printfs, '%.3d', [7], '007');
test(printfs, '%x %X %o %b %O', [255, 255, 255, 255, 255], 'ff FF 377 11111111 0o377');
test(printfs, '%#x %#o', [255, 8], '0xff 010');
test(printfs, '%x', [-255], '-ff');
test(printfs, '%c|%q|%U|%#U', [65, 65, 0x1f600, 65], "A|'A'|U+1F600|U+0041 'A'");
test(printfs, '%s|%10s|%-10s|%.2s', ['hello', 'hello', 'hello', 'hello'], 'hello|     hello|hello     |he');
test(printfs, '%q', ['a"b\n'], '"a\\"b\\n"');
test(printfs, '%q', ['tab\there \x01 é'], '"tab\\there \\x01 é"');
test(printfs, '%+q', ['é'], '"\\u00e9"');
test(printfs, '%#q', ['ab'], '`ab`');
test(printfs, '%x|% x|%X|%#x', ['hi', 'hi', 'hi', 'hi'], '6869|68 69|6869|0x6869');
test(printfs, '%f|%.2f|%8.3f|%-8.1f|', [3.14159, 3.14159, 3.14159, 3.14159], '3.141590|3.14|   3.142|3.1     |');
test(printfs, '%e|%E|%.2e', [1234.5678, 1234.5678, 1234.5678], '1.234568e+03|1.234568E+03|1.23e+03');
test(printfs, '%g|%.3g|%g|%g|%G', [1234.5678, 1234.5678, 0.00001234, 1e21, 1e-7], '1234.5678|1.23e+03|1.234e-05|1e+21|1E-07');
test(printfs, '%.0f %.0f %.1f %.2f', [2.5, 3.5, 0.25, 1.005], '2 4 0.2 1.00');
test(printfs, '%08.3f', [-3.14159], '-003.142');
test(printfs, '%6.2f%%', [3.14159], '  3.14%');
test(printfs, '%t %v', [true, false], 'true false');
test(printfs, '%v|%d|%s', [[1, 2], [1, 2], ['a', 'b']], '[1 2]|[1 2]|[a b]');
test(printfs, '%v', [{ b: 1, a: 'x' }], 'map[a:x b:1]');
test(printfs, '%+v', [new Point()], '&{X:1 Y:two}');
test(printfs, '%T %T %T %T %T %T %T', ['a', 1, 1.5, true, [1], {}, null], 'string int float64 bool []interface {} map[string]interface {} <nil>');
test(printfs, '%d', ['x'], '%!d(string=x)');
test(printfs, '%s', [5], '%!s(int=5)');
test(printfs, '%d', [1.5], '%!d(float64=1.5)');
test(printfs, '%t', [1], '%!t(int=1)');
test(printfs, '%.3g|%5d', [0, 'x'], '%!g(int=000)|%!d(string=    x)');
test(printfs, '%d', [[1, 'a']], '[1 %!d(string=a)]');
test(printfs, '%d|%5s', [[null], { k: null }], '[<nil>]|map[    k:<nil>]');
test(printfs, '%d %d', [1], '1 %!d(MISSING)');
test(printfs, '%d', [1, 'x'], '1%!(EXTRA string=x)');
test(printfs, '%d', [1, 2, 'x'], '1%!(EXTRA int=2, string=x)');
test(printfs, '50%', [], '50%!(NOVERB)');
test(printfs, '100%%', [], '100%');
test(printfs, '%z', [1], '%!z(int=1)');
test(printfs, '%d', [null], '%!d(<nil>)');
test(printfs, '%v %s', [null, null], '<nil> %!s(<nil>)');
test(printfs, '%*d|%-*d|', [5, 42, 4, 7], '   42|7   |');
test(printfs, '%.*f', [2, 3.14159], '3.14');
test(printfs, '%5t|%3v|', [true, 'é'], ' true|  é|');
test(printfs, '%#v|%#v|%#v', ['q"', [1, 'a', null], { b: 1.5, a: true }], '"q\\""|[]interface {}{1, "a", interface {}(nil)}|map[string]interface {}{"a":true, "b":1.5}');
test(printfs, '%#v', [new Point()], '&Point{X:1, Y:"two"}');
test(printfs, '%[2]s-%[1]s-%s', ['a', 'b'], 'b-a-b');
test(printfs, '%[1]d %[1]x %[1]o', [64], '64 40 100');
test(printfs, '%[3]d', [1, 2], '%!d(BADINDEX)');
test(printfs, '%[1]*d|', [4, 7], '   7|');

test('formatFloat() - strconv shortest and fixed precisions, rounding half to even on exact ties', (t) => {
  t.is(formatFloat(0, 'g', -1), '0');
  t.is(formatFloat(100000, 'g', -1), '100000');
  t.is(formatFloat(1000000, 'g', -1), '1e+06');
  t.is(formatFloat(0.000123, 'g', -1), '0.000123');
  t.is(formatFloat(0.0000123, 'g', -1), '1.23e-05');
  t.is(formatFloat(0.125, 'f', 2), '0.12');
  t.is(formatFloat(0.375, 'f', 2), '0.38');
  t.is(formatFloat(9.999, 'f', 2), '10.00');
  t.is(formatFloat(-0.5, 'f', 0), '-0');
  t.is(formatFloat(1e100, 'e', 3), '1.000e+100');
  t.is(formatFloat(123456789, 'g', 4), '1.235e+08');
});

test('sprint() - a space goes between operands only when neither is a string', (t) => {
  t.is(sprint(['a', 'b']), 'ab');
  t.is(sprint([1, 2]), '1 2');
  t.is(sprint(['a', 1, 'b']), 'a1b');
  t.is(sprint([1, 'a', 2]), '1a2');
  t.is(sprint([null, 1]), '<nil> 1');
  t.is(sprint([]), '');
});

test('sprintln() - always spaces, then a newline', (t) => {
  t.is(sprintln(['a', 1, 'b']), 'a 1 b\n');
  t.is(sprintln([]), '\n');
});

test('print, println and printf are reachable from templates', (t) => {
  t.is(render('{{print 1 2 "a" 3}}|{{println "x" 1}}|{{printf "%-4s|%03d" "ab" 7}}'), '1 2a3|x 1\n|ab  |007');
  t.is(render('{{printf "%v and %v" .a .missing}}', { a: [1] }), '[1] and <nil>');
  t.is(render('{{printf "%T" .}}', { a: 1 }), 'map[string]interface {}');
});

// Go's fmt caps widths and precisions at 1e6: a `*` operand past it is BADWIDTH/BADPREC, and a written
// number that is past it when another digit follows ends the directive (checked against go1.19).
const capped = test.macro({
  exec(t, format: string, args: unknown[], want: string | number) {
    const got = sprintf(format, args);
    if (typeof want === 'number') t.is(got.length, want);
    else t.is(got, want);
  },
  title: (_provided, format: string, args: unknown[]) => `sprintf() - width/precision bound: ${JSON.stringify(format)} ${JSON.stringify(args)}`,
});
test(capped, '%.999999999f', [1.5], '%!(NOVERB)%!(EXTRA float64=1.5)');
test(capped, '%400000000d|x', [1], '%!(NOVERB)%!(EXTRA int=1)');
test(capped, '%10000009d', [1], 10_000_009);
test(capped, '%*d', [1_000_001, 1], '%!(BADWIDTH)1');
test(capped, '%*d', [1_000_000, 1], 1_000_000);
test(capped, '%.*f', [1_000_001, 1.5], '%!(BADPREC)1.500000');
test(capped, '%.', [1], '%!.(int=1)');
test(capped, '%5.f', [1.5], '    2');
