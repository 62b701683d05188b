import test from 'ava';
import { parseSchedule, parseScheduleFile } from '../../src/frontdoor/schedule.js';

test('parseSchedule() - kind, module and a Go duration', (t) => {
  t.deepEqual(parseSchedule('  plan m.hcl every 30m ', '--schedule'), { kind: 'plan', location: 'm.hcl', everyMs: 1_800_000, text: 'plan m.hcl every 30m' });
  t.is(parseSchedule('apply https://example.com/m.hcl every 1h30m', '--schedule').everyMs, 5_400_000);
  t.is(parseSchedule('plan m.hcl every 200ms', '--schedule').everyMs, 200);
});

test('parseSchedule() - every bad form is CNV_ERR_SCHEDULE_INVALID naming where and why', (t) => {
  const cases: Array<[string, RegExp]> = [
    ['', /empty schedule/],
    ['plan m.hcl', /not of the form/],
    ['plan m.hcl each 30m', /not of the form/],
    ['destroy m.hcl every 30m', /unknown kind "destroy"/],
    ['plan m.hcl every 30', /bad interval "30": missing unit/],
    ['plan m.hcl every soon', /bad interval "soon"/],
    ['plan m.hcl every 10ms', /shorter than 100ms/],
    ['plan m.hcl every -1m', /shorter than 100ms/],
    ['plan m.hcl every 9999h', /longer than 24 days/],
  ];
  for (const [line, reason] of cases) {
    const error = t.throws(() => parseSchedule(line, 'where'), { code: 'CNV_ERR_SCHEDULE_INVALID' }, line);
    t.regex(error?.message ?? '', /^where: /);
    t.regex(error?.message ?? '', reason, line);
  }
});

test('parseScheduleFile() - comments and blank lines skipped; errors name FILE:LINE', (t) => {
  const schedules = parseScheduleFile('# nightly\n\nplan a.hcl every 1h\r\n  # indented comment\napply b.hcl every 5m\n', 'sched');
  t.deepEqual(schedules.map((s) => s.text), ['plan a.hcl every 1h', 'apply b.hcl every 5m']);
  t.throws(() => parseScheduleFile('plan a.hcl every 1h\n\nplan b.hcl every never\n', 'sched'), {
    code: 'CNV_ERR_SCHEDULE_INVALID',
    message: /^sched:3: bad interval "never"/,
  });
});
