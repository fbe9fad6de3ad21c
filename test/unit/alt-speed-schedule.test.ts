import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AltSpeedSchedule, inAltSpeedWindow } from '../../src/node/alt-speed.js';
import { defaultSettings } from '../../src/node/defaults.js';
import type { SessionSettings } from '../../src/node/types.js';

const SUN = 1;
const MON = 2;
const SAT = 64;
const WEEKDAYS = 62;

/** Local time on a known week: 2026-11-29 was a Sunday. */
const at = (day: number, hh: number, mm = 0): Date => new Date(2026, 10, 29 + day, hh, mm);

const table = (begin: number, end: number, days = 127, enabled = true): SessionSettings => ({
  ...defaultSettings('/home/x'),
  altSpeedTimeEnabled: enabled,
  altSpeedTimeBeginMinutes: begin,
  altSpeedTimeEndMinutes: end,
  altSpeedTimeDays: days,
});

test('a window within one day: from begin (included) to end (excluded), on its days only', () => {
  const s = table(9 * 60, 17 * 60, WEEKDAYS);
  const cases: [Date, boolean][] = [
    [at(1, 8, 59), false],
    [at(1, 9, 0), true],
    [at(1, 16, 59), true],
    [at(1, 17, 0), false],
    [at(0, 12), false], // Sunday
    [at(6, 12), false], // Saturday
    [at(5, 12), true], // Friday
  ];
  for (const [when, expected] of cases) assert.equal(inAltSpeedWindow(s, when), expected, when.toString());
});

test('a window past midnight belongs to the day it began on', () => {
  const s = table(22 * 60, 6 * 60, SAT); // Saturday 22:00 to Sunday 06:00
  assert.equal(inAltSpeedWindow(s, at(6, 23)), true, 'Saturday night');
  assert.equal(inAltSpeedWindow(s, at(7, 5, 59)), true, 'early Sunday, the window began on Saturday');
  assert.equal(inAltSpeedWindow(s, at(7, 6)), false, 'Sunday 06:00, the end');
  assert.equal(inAltSpeedWindow(s, at(0, 23)), false, 'Sunday night: not a window day');
  assert.equal(inAltSpeedWindow(s, at(6, 3)), false, 'early Saturday belongs to Friday');
  assert.equal(inAltSpeedWindow(table(22 * 60, 6 * 60, SUN | MON), at(1, 3)), true, 'early Monday belongs to Sunday');
});

test('an end equal to the begin is an empty window', () => {
  assert.equal(inAltSpeedWindow(table(600, 600), at(2, 10)), false);
});

test('the schedule sets the switch at its edges only, and a person may override it in between', () => {
  const schedule = new AltSpeedSchedule();
  let s = table(9 * 60, 17 * 60);
  assert.equal(schedule.check(s, at(1, 10)), true, 'turned on: the window is open now');
  s = { ...s, altSpeedEnabled: true };
  assert.equal(schedule.check(s, at(1, 11)), undefined, 'no edge, nothing to do');
  s = { ...s, altSpeedEnabled: false }; // a person turned it off by hand
  assert.equal(schedule.check(s, at(1, 12)), undefined, 'the person’s choice stands until the next edge');
  assert.equal(schedule.check(s, at(1, 17)), undefined, 'the window closes: the switch is already off');
  assert.equal(schedule.check(s, at(2, 9)), true, 'the next day the window opens again');
  s = { ...s, altSpeedEnabled: true };
  assert.equal(schedule.check(s, at(2, 17)), false, 'and closes');
});

test('the schedule does nothing while off, and a changed timetable applies at once', () => {
  const schedule = new AltSpeedSchedule();
  assert.equal(schedule.check(table(9 * 60, 17 * 60, 127, false), at(1, 10)), undefined);
  const s = { ...table(9 * 60, 17 * 60), altSpeedEnabled: true };
  assert.equal(schedule.check(s, at(1, 10)), undefined, 'already on');
  assert.equal(schedule.check({ ...s, altSpeedTimeBeginMinutes: 11 * 60 }, at(1, 10)), false, 'the new window is not open yet');
});
