/**
 * How each realserver's line is drawn. Colours: hues spaced by the golden angle, mid lightness for both themes. Lines
 * that carry equal values lie on top of each other, so each line also gets its own dash pattern and the earlier ones
 * are drawn wider (and first, underneath): where two or three lines coincide, every colour still shows (the wide solid
 * edge, the dashes, the dots).
 */

/** A distinct colour for line `i`. */
export function seriesColor(i: number): string {
  const hue = Math.round((i * 137.508 + 200) % 360);
  const light = i % 2 === 0 ? 46 : 56;
  return `hsl(${hue} 70% ${light}%)`;
}

const DASHES = ['', '10 5', '2 4', '14 4 3 4', '6 3', '1 3'] as const;

/** Line `i`'s colour, stroke width (px) and SVG dash array ('' = solid). */
export function seriesStyle(i: number): { color: string; width: number; dash: string } {
  return { color: seriesColor(i), width: Math.max(1.5, 4.5 - i * 1.25), dash: DASHES[i % DASHES.length]! };
}
