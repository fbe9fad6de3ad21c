// The node's settings (limits, port, queue, discovery, encryption) and its statistics, with its version.
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { AltSpeedTimetable } from './AltSpeedTimetable.js';
import { Dialog } from './Dialog.js';
import { call } from '../api/rpc.js';
import { attempt, notices } from './notices.js';
import { store } from '../store/instance.js';
import type { SessionSettings, SessionStats } from '../../../src/node/types.js';
import * as fmt from '../lib/format.js';

const KIB = 1024;

/** The settings session.set takes: session.get answers more (version, the bound port), which it refuses back. */
const KEYS: (keyof SessionSettings)[] = ['downloadDir', 'peerPort', 'downloadLimitBytesPerSec', 'uploadLimitBytesPerSec', 'altSpeedEnabled', 'altSpeedDownBytesPerSec', 'altSpeedUpBytesPerSec', 'altSpeedTimeEnabled', 'altSpeedTimeBeginMinutes', 'altSpeedTimeEndMinutes', 'altSpeedTimeDays', 'maxActiveDownloads', 'maxActiveSeeds', 'dht', 'lsd', 'encryption', 'seedRatioLimit'];

function settingsOnly(form: SessionSettings): Partial<SessionSettings> {
  return Object.fromEntries(KEYS.filter((k) => k in form).map((k) => [k, form[k]]));
}

function Stats({ s }: { s: SessionStats }): JSX.Element {
  const rows: [string, string][] = [
    ['Torrents', `${s.torrentCount} (${s.activeTorrentCount} active, ${s.pausedTorrentCount} paused)`],
    ['Rates', `↓ ${fmt.rate(s.downloadRateBytesPerSec) || '0 B/s'} · ↑ ${fmt.rate(s.uploadRateBytesPerSec) || '0 B/s'}`],
    ['This session', `${fmt.bytes(s.sessionDownloadedBytes)} down · ${fmt.bytes(s.sessionUploadedBytes)} up · ${fmt.eta(s.secondsActive) || '0s'}`],
    ['All time', `${fmt.bytes(s.cumulativeDownloadedBytes)} down · ${fmt.bytes(s.cumulativeUploadedBytes)} up`],
    ['DHT nodes', String(s.dhtNodes)],
    ['Version', s.version],
  ];
  return <dl class="facts">{rows.map(([k, v]) => <div key={k}><dt>{k}</dt><dd>{v}</dd></div>)}</dl>;
}

export function SessionDialog({ onClose }: { onClose: () => void }): JSX.Element {
  const [form, setForm] = useState<SessionSettings | null>(store.settings);
  const [stats, setStats] = useState<SessionStats | null>(null);
  const edited = useRef(false);
  useEffect(() => {
    void attempt('Statistics', () => call('session.stats', {})).then((s) => s && setStats(s));
    // Fresh values from the daemon, unless the person already started editing the ones the page had.
    void attempt('Settings', () => call('session.get', {})).then((s) => s && !edited.current && setForm(s));
  }, []);
  if (!form) return <Dialog title="Settings" onClose={onClose}><p class="waiting">Loading…</p></Dialog>;
  const set = (change: Partial<SessionSettings>): void => {
    edited.current = true;
    setForm((f) => (f ? { ...f, ...change } : f));
  };
  // The daemon also says which port it bound (the setting may be 0, any free port).
  const bound = (form as { peerPortBound?: number }).peerPortBound;
  const num = (key: keyof SessionSettings, label: string, scale = 1): JSX.Element => (
    <label class="field block">
      <span>{label}</span>
      <input type="number" min="0" value={String(Math.round(((form[key] as number) / scale) * 10) / 10)} step="any" onInput={(e) => set({ [key]: Math.round(Number(e.currentTarget.value) * scale) || 0 })} />
    </label>
  );
  return (
    <Dialog
      wide
      title="Settings"
      onClose={onClose}
      onSubmit={async () => {
        const saved = await attempt('Save settings', () => call('session.set', settingsOnly(form)));
        if (saved) {
          store.setSettings(saved);
          notices.push('Settings saved');
          onClose();
        }
      }}
      actions={<><button type="button" onClick={onClose}>Cancel</button><button type="submit" class="primary">Save</button></>}
    >
      <fieldset class="limits">
        <legend>Global speed limits</legend>
        <div class="limits-grid">
          {num('downloadLimitBytesPerSec', 'Download limit (KiB/s, 0 = none)', KIB)}
          {num('uploadLimitBytesPerSec', 'Upload limit (KiB/s, 0 = none)', KIB)}
          {num('altSpeedDownBytesPerSec', 'Alternative download limit (KiB/s)', KIB)}
          {num('altSpeedUpBytesPerSec', 'Alternative upload limit (KiB/s)', KIB)}
        </div>
        <label class="check"><input type="checkbox" checked={form.altSpeedEnabled} onChange={(e) => set({ altSpeedEnabled: e.currentTarget.checked })} /> Use the alternative speeds now (the header's "Alt speeds" switch)</label>
        <AltSpeedTimetable form={form} set={set} />
      </fieldset>
      <div class="form-grid">
        <label class="field block"><span>Download folder</span><input type="text" value={form.downloadDir} onInput={(e) => set({ downloadDir: e.currentTarget.value })} /></label>
        {num('peerPort', bound ? `Peer port (TCP, 0 = any; now ${bound})` : 'Peer port (TCP, 0 = any)')}
        <label class="field block">
          <span>Encryption</span>
          <select value={form.encryption} onChange={(e) => set({ encryption: e.currentTarget.value as SessionSettings['encryption'] })}>
            <option value="allow">Allow</option>
            <option value="prefer">Prefer</option>
            <option value="require">Require</option>
          </select>
        </label>
        {num('maxActiveDownloads', 'Downloads at once')}
        {num('maxActiveSeeds', 'Seeds at once')}
        <label class="field block">
          <span>Seed ratio limit (0 = none)</span>
          <input type="number" min="0" step="0.1" value={String(form.seedRatioLimit)} onInput={(e) => set({ seedRatioLimit: Number(e.currentTarget.value) || 0 })} />
        </label>
      </div>
      <div class="checks">
        <label><input type="checkbox" checked={form.dht} onChange={(e) => set({ dht: e.currentTarget.checked })} /> DHT</label>
        <label><input type="checkbox" checked={form.lsd} onChange={(e) => set({ lsd: e.currentTarget.checked })} /> Local peer discovery</label>
      </div>
      <h3>Statistics</h3>
      {stats ? <Stats s={stats} /> : <p class="waiting">Loading…</p>}
    </Dialog>
  );
}
