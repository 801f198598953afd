import { encodePng } from './png.js';

/**
 * The app icon, drawn from one geometry as SVG (favicon, header) and as PNG (web manifest: Android
 * and desktop install want 192 and 512 pixel PNGs, and a "maskable" one whose background fills the
 * square so the launcher can crop it to its own shape). A white SIM card with a gold chip on the
 * brand green. Coordinates are fractions of the icon's side.
 */

export const BRAND_COLOUR = '#0b5f4f';
const CHIP_COLOUR = '#f2c14e';
const CARD_COLOUR = '#ffffff';

interface Box { readonly x0: number; readonly y0: number; readonly x1: number; readonly y1: number; readonly radius: number }

/** Rounded corners of the plain icon; the maskable one is a full square. */
const BACKGROUND: Box = { x0: 0, y0: 0, x1: 1, y1: 1, radius: 0.18 };
/** Inside the maskable safe zone (a circle of radius 0.4 around the centre). */
const CARD: Box = { x0: 0.31, y0: 0.22, x1: 0.69, y1: 0.78, radius: 0 };
const CARD_CUT = 0.11;
const CHIP: Box = { x0: 0.39, y0: 0.47, x1: 0.61, y1: 0.67, radius: 0.03 };
/** Samples per pixel side: 4×4 gives smooth edges at 192 px. */
const SUPERSAMPLING = 4;

export type IconShape = 'rounded' | 'maskable';

export function appIconSvg(): string {
  const box = (b: Box, fill: string) => `<rect x="${b.x0 * 100}" y="${b.y0 * 100}" width="${(b.x1 - b.x0) * 100}" height="${(b.y1 - b.y0) * 100}" rx="${b.radius * 100}" fill="${fill}"/>`;
  const card = `<path d="M${CARD.x0 * 100} ${CARD.y0 * 100}H${(CARD.x1 - CARD_CUT) * 100}L${CARD.x1 * 100} ${(CARD.y0 + CARD_CUT) * 100}V${CARD.y1 * 100}H${CARD.x0 * 100}Z" fill="${CARD_COLOUR}"/>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">${box(BACKGROUND, BRAND_COLOUR)}${card}${box(CHIP, CHIP_COLOUR)}</svg>`;
}

export function appIconPng(size_px: number, shape: IconShape): Buffer {
  const rgba = new Uint8Array(size_px * size_px * 4);
  const colours = { background: rgb(BRAND_COLOUR), card: rgb(CARD_COLOUR), chip: rgb(CHIP_COLOUR) };
  for (let y = 0; y < size_px; y += 1) {
    for (let x = 0; x < size_px; x += 1) {
      const pixel = averagePixel(x, y, size_px, shape, colours);
      rgba.set(pixel, (y * size_px + x) * 4);
    }
  }
  return encodePng(size_px, size_px, rgba);
}

type Rgb = readonly [number, number, number];

function averagePixel(x: number, y: number, size_px: number, shape: IconShape, colours: Record<'background' | 'card' | 'chip', Rgb>): number[] {
  let [red, green, blue, covered] = [0, 0, 0, 0];
  for (let sy = 0; sy < SUPERSAMPLING; sy += 1) {
    for (let sx = 0; sx < SUPERSAMPLING; sx += 1) {
      const colour = sampleColour((x + (sx + 0.5) / SUPERSAMPLING) / size_px, (y + (sy + 0.5) / SUPERSAMPLING) / size_px, shape, colours);
      if (!colour) continue;
      red += colour[0];
      green += colour[1];
      blue += colour[2];
      covered += 1;
    }
  }
  if (covered === 0) return [0, 0, 0, 0];
  // Colours average over the covered samples only; coverage becomes alpha (no dark fringe).
  return [
    Math.round(red / covered), Math.round(green / covered), Math.round(blue / covered), Math.round((255 * covered) / SUPERSAMPLING ** 2),
  ];
}

function sampleColour(u: number, v: number, shape: IconShape, colours: Record<'background' | 'card' | 'chip', Rgb>): Rgb | null {
  if (shape === 'rounded' && !insideBox(u, v, BACKGROUND)) return null;
  if (insideBox(u, v, CHIP)) return colours.chip;
  if (insideCard(u, v)) return colours.card;
  return colours.background;
}

function insideCard(u: number, v: number): boolean {
  const cut = u - CARD.x1 + CARD_CUT > v - CARD.y0;
  return u >= CARD.x0 && u <= CARD.x1 && v >= CARD.y0 && v <= CARD.y1 && !cut;
}

function insideBox(u: number, v: number, box: Box): boolean {
  if (u < box.x0 || u > box.x1 || v < box.y0 || v > box.y1) return false;
  const cx = Math.min(Math.max(u, box.x0 + box.radius), box.x1 - box.radius);
  const cy = Math.min(Math.max(v, box.y0 + box.radius), box.y1 - box.radius);
  return (u - cx) ** 2 + (v - cy) ** 2 <= box.radius ** 2;
}

function rgb(hex: string): Rgb {
  const value = Number.parseInt(hex.slice(1), 16);
  return [(value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff];
}
