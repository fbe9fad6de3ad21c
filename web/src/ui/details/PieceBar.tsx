// The piece bar: have, downloading, available from peers and missing, drawn on a canvas one column per pixel.
// A canvas costs the same for 10 pieces or 100,000.
import type { JSX } from 'preact';
import { useEffect, useMemo, useRef } from 'preact/hooks';
import { fromBase64 } from '../../lib/base64.js';
import { columnStates, countBits, PieceState } from '../../lib/pieces.js';

const HEIGHT = 18;

export interface PieceBarProps {
  pieces: number;
  /** The node's base64 bitfields (BEP 3 order); '' when it has none (no metadata, or not running). */
  have: string;
  downloading: string;
  available: string;
}

const COLOURS = ['--piece-missing', '--piece-available', '--piece-downloading', '--piece-have'] as const;

export function PieceBar({ pieces, have, downloading, available }: PieceBarProps): JSX.Element {
  const canvas = useRef<HTMLCanvasElement>(null);
  const bits = useMemo(() => ({ have: fromBase64(have), downloading: fromBase64(downloading), available: fromBase64(available) }), [have, downloading, available]);
  const counts = useMemo(() => {
    const h = countBits(bits.have, pieces);
    const d = countBits(bits.downloading, pieces);
    const a = countBits(bits.available, pieces);
    return { have: h, downloading: d, available: a, missing: Math.max(0, pieces - h - d - a) };
  }, [bits, pieces]);
  useEffect(() => {
    const el = canvas.current!;
    const width = Math.max(1, Math.floor(el.clientWidth * devicePixelRatio));
    el.width = width;
    el.height = HEIGHT * devicePixelRatio;
    const ctx = el.getContext('2d')!;
    const style = getComputedStyle(el);
    const colour = COLOURS.map((name) => style.getPropertyValue(name));
    ctx.fillStyle = colour[PieceState.Missing]!;
    ctx.fillRect(0, 0, el.width, el.height);
    const { state, haveFraction } = columnStates(bits, pieces, width);
    for (let x = 0; x < width; x++) {
      const s = state[x]!;
      if (s === PieceState.Missing) continue;
      ctx.fillStyle = colour[s]!;
      // A column only partly had is lighter, so a thin bar of many pieces still shows how far it is.
      ctx.globalAlpha = s === PieceState.Have ? 0.35 + 0.65 * haveFraction[x]! : 1;
      ctx.fillRect(x, 0, 1, el.height);
    }
    ctx.globalAlpha = 1;
  }, [bits, pieces]);
  const label = `${counts.have} of ${pieces} pieces verified, ${counts.downloading} downloading, ${counts.available} available from peers, ${counts.missing} missing`;
  return (
    <figure class="piece-bar">
      <canvas ref={canvas} role="img" aria-label={label} />
      <figcaption>
        <span class="swatch have" aria-hidden="true" /> have {counts.have}{' '}
        <span class="swatch downloading" aria-hidden="true" /> downloading {counts.downloading}{' '}
        <span class="swatch available" aria-hidden="true" /> available from peers {counts.available}{' '}
        <span class="swatch missing" aria-hidden="true" /> missing {counts.missing} · {pieces} pieces
      </figcaption>
    </figure>
  );
}
