import test from 'ava';
import { formatGoDuration, parseGoDuration } from '../../src/go/duration.js';

test('parses Go durations to nanoseconds', (t) => {
  t.is(parseGoDuration('1m30s'), 90e9);
  t.is(parseGoDuration('250ms'), 250e6);
  t.is(parseGoDuration('1.5h'), 5400e9);
  t.is(parseGoDuration('-2us'), -2000);
  t.is(parseGoDuration('3µs'), 3000);
  t.is(parseGoDuration('0'), 0);
  t.throws(() => parseGoDuration(''), { message: 'time: invalid duration ""' });
  t.throws(() => parseGoDuration('5'), { message: 'time: missing unit in duration "5"' });
  t.throws(() => parseGoDuration('5d'), { message: 'time: unknown unit "d" in duration "5d"' });
});

test('formats like Go Duration.String()', (t) => {
  t.is(formatGoDuration(0), '0s');
  t.is(formatGoDuration(1500), '1.5µs');
  t.is(formatGoDuration(250e6), '250ms');
  t.is(formatGoDuration(1.5e9), '1.5s');
  t.is(formatGoDuration(90e9), '1m30s');
  t.is(formatGoDuration(7200e9), '2h0m0s');
  t.is(formatGoDuration(5_012_345_678), '5.012345678s');
  t.is(formatGoDuration(-1e6), '-1ms');
});
