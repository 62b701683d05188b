import test from 'ava';
import { parseLvSize } from '../../../src/resources/lvm/size.js';

test('parseLvSize() - percentages go to lvcreate -l, with the word upper-cased', (t) => {
  t.deepEqual(parseLvSize('100%FREE'), { option: '-l', value: '100%FREE' });
  t.deepEqual(parseLvSize('50%vg'), { option: '-l', value: '50%VG' });
  t.deepEqual(parseLvSize('1%PVS'), { option: '-l', value: '1%PVS' });
});

test('parseLvSize() - absolute sizes go to lvcreate -L with their unit as written, a trailing b dropped', (t) => {
  t.deepEqual(parseLvSize('10G'), { option: '-L', value: '10G' });
  t.deepEqual(parseLvSize('512m'), { option: '-L', value: '512m' });
  t.deepEqual(parseLvSize('2048s'), { option: '-L', value: '2048s' });
  t.deepEqual(parseLvSize('10GB'), { option: '-L', value: '10G' });
  t.deepEqual(parseLvSize('4096b'), { option: '-L', value: '4096b' });
});

test('parseLvSize() - refuses out-of-range percentages, zero, and text that is no size', (t) => {
  t.is(parseLvSize('101%FREE'), 'a percentage must be from 1 to 100, got 101%');
  t.is(parseLvSize('0%VG'), 'a percentage must be from 1 to 100, got 0%');
  t.is(parseLvSize('0G'), 'a size must be more than 0, got 0G');
  for (const text of ['10', 'G', '10x', '1.5G', '100%ORIGIN', ' 10G', '-1G']) {
    t.is(typeof parseLvSize(text), 'string', text);
  }
});
