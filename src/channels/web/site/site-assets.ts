import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { appIconPng, appIconSvg, type IconShape } from './icons/app-icon.js';

/**
 * The site's static files: one stylesheet, the site's script, the store finder's script, the
 * icons. Each is served under a name with its content hash (/assets/site.3f9a…c1.css) and cached
 * by browsers for a year; a change makes a new name. Text files are compressed once, on first
 * use, with Brotli at its best setting (and gzip for older clients): a throttled phone gets the
 * fewest bytes, and no request pays for compressing.
 */

export const ASSET_NAMES = ['site.css', 'site.js', 'stores.js', 'icon.svg', 'icon-192.png', 'icon-512.png', 'icon-maskable-512.png'] as const;
export type AssetName = (typeof ASSET_NAMES)[number];

export interface Asset {
  readonly name: AssetName;
  readonly path: string;
  readonly content_type: string;
  /** Drawn or read on first use and kept (the PNG icons take a few hundred ms to draw). */
  body(): Buffer;
  readonly compressible: boolean;
  brotli(): Buffer;
  gzip(): Buffer;
}

const YEAR_S = 365 * 24 * 3600;
const HASH_LENGTH = 12;

/**
 * tsc copies no CSS or JS, so the files are read from the source tree: from
 * dist/src/channels/web/site/ up to the project root, then into src/.
 */
const SOURCE_FOLDER = new URL('../../../../../src/channels/web/site/assets/', import.meta.url);

export class SiteAssets {
  readonly #by_path: ReadonlyMap<string, Asset>;
  readonly #by_name: ReadonlyMap<AssetName, Asset>;
  /** Changes whenever any asset changes: names the service worker's cache. */
  readonly version: string;
  readonly service_worker_template: string;

  constructor() {
    const assets = ASSET_NAMES.map(makeAsset);
    this.#by_name = new Map(assets.map((asset) => [asset.name, asset]));
    this.#by_path = new Map(assets.map((asset) => [asset.path, asset]));
    this.version = contentHash(Buffer.from(assets.map((asset) => asset.path).join('\n')));
    this.service_worker_template = readFileSync(new URL('sw.js', SOURCE_FOLDER), 'utf8');
  }

  url(name: AssetName): string {
    const asset = this.#by_name.get(name);
    if (!asset) throw new Error(`no asset ${name}`);
    return asset.path;
  }

  byPath(path: string): Asset | undefined {
    return this.#by_path.get(path);
  }
}

/**
 * What the asset's name is hashed from, and how to make its body. A PNG icon is a pure function of
 * the icon's geometry (the SVG) and its size and shape, so those name it without drawing it.
 */
function assetSource(name: AssetName): { fingerprint: Buffer; make: () => Buffer } {
  const png = (size_px: number, shape: IconShape) => ({ fingerprint: Buffer.from(`${appIconSvg()}|${size_px}|${shape}`), make: () => appIconPng(size_px, shape) });
  switch (name) {
    case 'icon.svg': return text(Buffer.from(appIconSvg()));
    case 'icon-192.png': return png(192, 'rounded');
    case 'icon-512.png': return png(512, 'rounded');
    case 'icon-maskable-512.png': return png(512, 'maskable');
    case 'site.css':
    case 'site.js':
    case 'stores.js': return text(readFileSync(new URL(name, SOURCE_FOLDER)));
  }
}

function text(body: Buffer): { fingerprint: Buffer; make: () => Buffer } {
  return { fingerprint: body, make: () => body };
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
};

function makeAsset(name: AssetName): Asset {
  const dot = name.lastIndexOf('.');
  const extension = name.slice(dot + 1);
  const source = assetSource(name);
  const body = once(source.make);
  return {
    name,
    path: `/assets/${name.slice(0, dot)}.${contentHash(source.fingerprint)}.${extension}`,
    content_type: CONTENT_TYPES[extension] ?? 'application/octet-stream',
    body,
    compressible: extension !== 'png',
    brotli: once(() => brotliCompressSync(body(), {
      params: { [zlib.BROTLI_PARAM_QUALITY]: zlib.BROTLI_MAX_QUALITY, [zlib.BROTLI_PARAM_SIZE_HINT]: body().length },
    })),
    gzip: once(() => gzipSync(body(), { level: zlib.Z_BEST_COMPRESSION })),
  };
}

function once<T>(make: () => T): () => T {
  let value: { readonly made: T } | undefined;
  return () => (value ??= { made: make() }).made;
}

export function contentHash(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex').slice(0, HASH_LENGTH);
}

/** Sends an asset in the best encoding the client takes; the name carries the hash, so it never changes. */
export function sendAsset(request: FastifyRequest, reply: FastifyReply, asset: Asset): FastifyReply {
  const accepted = acceptedEncodings(request.headers['accept-encoding']);
  reply.type(asset.content_type).header('cache-control', `public, max-age=${YEAR_S}, immutable`).header('x-content-type-options', 'nosniff');
  if (!asset.compressible) return reply.send(asset.body());
  reply.header('vary', 'accept-encoding');
  if (accepted.has('br')) return reply.header('content-encoding', 'br').send(asset.brotli());
  if (accepted.has('gzip')) return reply.header('content-encoding', 'gzip').send(asset.gzip());
  return reply.send(asset.body());
}

/** Codings listed without q=0; enough for browsers, which never send q-values that rank br below gzip. */
function acceptedEncodings(header: string | string[] | undefined): Set<string> {
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  return new Set(text.split(',').map((part) => part.trim().split(';')).filter(([, q]) => !/^\s*q=0(\.0*)?\s*$/.test(q ?? '')).map(([coding]) => (coding ?? '').trim().toLowerCase()));
}
