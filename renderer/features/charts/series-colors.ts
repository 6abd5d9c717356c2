/** Distinct line colours for any number of realservers: hues spaced by the golden angle, mid lightness for both themes. */
export function seriesColor(i: number): string {
  const hue = Math.round((i * 137.508 + 200) % 360);
  const light = i % 2 === 0 ? 46 : 56;
  return `hsl(${hue} 70% ${light}%)`;
}
