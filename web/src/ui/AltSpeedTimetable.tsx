// The alternative speeds' timetable, as Transmission has it: on from one time to another, on chosen days.
import type { JSX } from 'preact';
import type { SessionSettings } from '../../../src/node/types.js';
import { timeOfDay } from '../lib/format.js';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** A time input's "HH:MM" as minutes after midnight (timeOfDay is the other way). */
const minutesOf = (text: string): number | undefined => {
  const m = /^(\d{2}):(\d{2})$/.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
};

type Timetable = Pick<SessionSettings, 'altSpeedTimeEnabled' | 'altSpeedTimeBeginMinutes' | 'altSpeedTimeEndMinutes' | 'altSpeedTimeDays'>;

export function AltSpeedTimetable({ form, set }: { form: Timetable; set: (change: Partial<Timetable>) => void }): JSX.Element {
  const time = (key: 'altSpeedTimeBeginMinutes' | 'altSpeedTimeEndMinutes', label: string): JSX.Element => (
    <label class="field">
      <span>{label}</span>
      <input type="time" value={timeOfDay(form[key])} disabled={!form.altSpeedTimeEnabled} onInput={(e) => {
        const m = minutesOf(e.currentTarget.value);
        if (m !== undefined) set({ [key]: m });
      }} />
    </label>
  );
  const toggleDay = (day: number, on: boolean): void => {
    const days = on ? form.altSpeedTimeDays | (1 << day) : form.altSpeedTimeDays & ~(1 << day);
    if (days > 0) set({ altSpeedTimeDays: days }); // at least one day: an empty mask is refused by the daemon
  };
  return (
    <div class="timetable">
      <label class="check"><input type="checkbox" checked={form.altSpeedTimeEnabled} onChange={(e) => set({ altSpeedTimeEnabled: e.currentTarget.checked })} /> Use the alternative speeds on a timetable</label>
      <div class="timetable-row">
        {time('altSpeedTimeBeginMinutes', 'From')}
        {time('altSpeedTimeEndMinutes', 'To')}
        <fieldset class="days" disabled={!form.altSpeedTimeEnabled}>
          <legend>Days</legend>
          {DAYS.map((name, day) => (
            <label key={name}><input type="checkbox" checked={(form.altSpeedTimeDays & (1 << day)) !== 0} onChange={(e) => toggleDay(day, e.currentTarget.checked)} /> {name}</label>
          ))}
        </fieldset>
      </div>
    </div>
  );
}
