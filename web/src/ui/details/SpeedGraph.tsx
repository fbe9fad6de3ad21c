// Download and upload rate over the last minutes, as two lines on a canvas.
import type { JSX } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import type { RateSample } from '../../store/history.js';
import * as fmt from '../../lib/format.js';

const HEIGHT = 90;
/** The graph spans what it has seen, from one minute up to five, so a fresh one is not a sliver at the edge. */
const MIN_SPAN_MS = 60_000;
const MAX_SPAN_MS = 5 * 60_000;

function spanOf(samples: RateSample[], now: number): number {
  return Math.min(MAX_SPAN_MS, Math.max(MIN_SPAN_MS, now - (samples[0]?.at ?? now)));
}

export function SpeedGraph({ samples, version }: { samples: RateSample[]; version: number }): JSX.Element {
  const canvas = useRef<HTMLCanvasElement>(null);
  const peak = Math.max(1, ...samples.map((s) => Math.max(s.down, s.up)));
  useEffect(() => {
    const el = canvas.current!;
    const dpr = devicePixelRatio;
    el.width = Math.max(1, Math.floor(el.clientWidth * dpr));
    el.height = HEIGHT * dpr;
    const ctx = el.getContext('2d')!;
    const style = getComputedStyle(el);
    ctx.clearRect(0, 0, el.width, el.height);
    const now = Date.now();
    const span = spanOf(samples, now);
    const line = (pick: (s: RateSample) => number, color: string): void => {
      ctx.strokeStyle = color;
      ctx.lineWidth = 1.5 * dpr;
      ctx.beginPath();
      const yOf = (s: RateSample): number => el.height - (pick(s) / peak) * (el.height - 4 * dpr) - 2 * dpr;
      samples.forEach((s, i) => {
        const x = el.width * (1 - (now - s.at) / span);
        if (i === 0) ctx.moveTo(x, yOf(s));
        else ctx.lineTo(x, yOf(s));
      });
      // The last rate holds until the next sample: drawn up to now, so one sample is already a line.
      if (samples.length > 0) ctx.lineTo(el.width, yOf(samples[samples.length - 1]!));
      ctx.stroke();
    };
    line((s) => s.down, style.getPropertyValue('--down'));
    line((s) => s.up, style.getPropertyValue('--up'));
  }, [version, samples.length]);
  const last = samples[samples.length - 1];
  const idle = samples.every((s) => s.down === 0 && s.up === 0);
  const minutes = Math.round(spanOf(samples, Date.now()) / 60_000);
  return (
    <figure class="speed-graph">
      <canvas ref={canvas} role="img" aria-label={`Rates over the last ${minutes} minute${minutes === 1 ? '' : 's'}; now ${fmt.rate(last?.down ?? 0) || '0 B/s'} down, ${fmt.rate(last?.up ?? 0) || '0 B/s'} up`} />
      <figcaption>
        <span class="swatch down" aria-hidden="true" /> down <span class="swatch up" aria-hidden="true" /> up · last {minutes} min · {idle ? 'no transfer since the details opened' : `peak ${fmt.rate(peak)}`}
      </figcaption>
    </figure>
  );
}
