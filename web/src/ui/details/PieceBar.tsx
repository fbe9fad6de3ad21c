// The piece bar: the verified-pieces bitfield drawn on a canvas, one column per pixel, shaded by how many of the
// pieces under it are had. A canvas costs the same for 10 pieces or 100,000.
import type { JSX } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { fromBase64 } from '../../lib/base64.js';
import { columnFractions } from '../../lib/pieces.js';

const HEIGHT = 18;

export function PieceBar({ bitfield, pieces, have }: { bitfield: string; pieces: number; have: number }): JSX.Element {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const el = canvas.current!;
    const width = Math.max(1, Math.floor(el.clientWidth * devicePixelRatio));
    el.width = width;
    el.height = HEIGHT * devicePixelRatio;
    const ctx = el.getContext('2d')!;
    const style = getComputedStyle(el);
    ctx.fillStyle = style.getPropertyValue('--piece-missing');
    ctx.fillRect(0, 0, el.width, el.height);
    const fractions = columnFractions(bitfield ? fromBase64(bitfield) : new Uint8Array(0), pieces, width);
    ctx.fillStyle = style.getPropertyValue('--piece-have');
    for (let x = 0; x < width; x++) {
      const f = fractions[x]!;
      if (f === 0) continue;
      ctx.globalAlpha = 0.35 + 0.65 * f;
      ctx.fillRect(x, 0, 1, el.height);
    }
    ctx.globalAlpha = 1;
  }, [bitfield, pieces]);
  return (
    <figure class="piece-bar">
      <canvas ref={canvas} role="img" aria-label={`${have} of ${pieces} pieces verified`} />
      <figcaption>
        <span class="swatch have" aria-hidden="true" /> have <span class="swatch missing" aria-hidden="true" /> missing · {have} / {pieces} pieces
      </figcaption>
    </figure>
  );
}
