import test from 'ava';
import { OutputCapture, cutMarker } from '../../../src/resources/shell/output-capture.js';

function captured(limit: number, chunks: readonly (string | Buffer)[]): OutputCapture {
  const capture = new OutputCapture(limit);
  for (const chunk of chunks) capture.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return capture;
}

test('OutputCapture - output within the limit is kept whole, however it was chunked', (t) => {
  t.is(captured(16, ['abc', 'def', 'ghij', 'klmnop']).text(), 'abcdefghijklmnop');
  t.is(captured(16, ['abcdefghijklmnop']).text(), 'abcdefghijklmnop');
  t.is(captured(16, []).text(), '');
  t.is(captured(16, ['abcdefghijklmnop']).cutBytes, 0);
});

test('OutputCapture - keeps the head and the tail and says how many bytes were cut between them', (t) => {
  const text = 'HEAD' + 'x'.repeat(1000) + 'TAIL';
  const whole = captured(8, [text]);
  t.is(whole.text(), 'HEAD' + cutMarker(1000) + 'TAIL');
  t.is(whole.totalBytes, 1008);
  t.is(whole.cutBytes, 1000);
  // The same stream in chunks of every size gives the same result: the ring wraps correctly.
  for (const size of [1, 3, 4, 5, 7, 64, 999]) {
    const chunks: string[] = [];
    for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
    t.is(captured(8, chunks).text(), 'HEAD' + cutMarker(1000) + 'TAIL', `chunks of ${size}`);
  }
});

test('OutputCapture - memory stays at the limit: a 100 MB stream in 64 KiB chunks keeps 1 KiB', (t) => {
  const capture = new OutputCapture(1024);
  const chunk = Buffer.alloc(64 * 1024, 'x');
  for (let i = 0; i < 1526; i++) capture.push(chunk);
  capture.push(Buffer.from('END'));
  const text = capture.text();
  t.is(capture.totalBytes, 1526 * 64 * 1024 + 3);
  t.true(text.startsWith('x'.repeat(512) + cutMarker(capture.totalBytes - 1024)));
  t.true(text.endsWith('x'.repeat(509) + 'END'));
});

test('OutputCapture - a cut never splits a UTF-8 character; the trimmed bytes count as cut', (t) => {
  // 'é' is two bytes: a head of 5 bytes would end inside the third one, a tail of 5 start inside one.
  const text = 'ééééé' + '-'.repeat(100) + 'ééééé';
  const out = captured(10, [text]).text();
  // 120 bytes, 10 kept as bytes, one trimmed from each side: 112 cut.
  t.is(out, 'éé' + cutMarker(112) + 'éé');
  t.false(out.includes('\uFFFD'));
});
