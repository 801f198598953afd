import { BlockList, isIP } from 'node:net';

/**
 * Allow-lists of client addresses — "185.71.76.0/27,2a02:5180::/32,77.75.156.11" — as settings
 * give them: YooKassa's notification sources, the USSD gateway, trusted proxies. Matching is
 * Node's own `net.BlockList` (CIDR arithmetic for both families, IPv4-mapped IPv6 included);
 * what is ours is only reading the setting, so every list is read and checked the same way.
 */

export interface AddressRange {
  readonly address: string;
  readonly prefix_length: number;
  readonly family: 'ipv4' | 'ipv6';
}

/** The loopback ranges: this machine only. */
export const LOOPBACK_RANGES: readonly string[] = Object.freeze(['127.0.0.0/8', '::1']);

/** Loopback as a URL names it (`URL.hostname`, IPv6 in brackets): what a local setup writes. */
const LOOPBACK_HOSTNAMES: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Plain http to this machine: a provider's local fake in tests, `npm start` on a laptop. The one
 * place a secret (an API key, a session cookie) may travel without TLS; everywhere else it is https.
 */
export function isPlainHttpOnLoopback(url: URL): boolean {
  return url.protocol === 'http:' && isLoopbackHostname(url.hostname);
}

/** A URL's hostname that names this machine: a mail relay or a fake there is reached without leaving it. */
export function isLoopbackHostname(hostname: string): boolean {
  return LOOPBACK_HOSTNAMES.has(hostname);
}

/** "185.71.76.0/27", "77.75.156.11" or "2a02:5180::/32"; undefined when it is none of these. */
export function parseAddressRange(text: string): AddressRange | undefined {
  const [address = '', prefix_text, extra] = text.trim().split('/');
  if (extra !== undefined) return undefined;
  const version = isIP(address);
  if (version === 0) return undefined;
  const family = version === 4 ? 'ipv4' : 'ipv6';
  const prefix_length_max = version === 4 ? 32 : 128;
  if (prefix_text === undefined) return { address, prefix_length: prefix_length_max, family };
  if (!/^\d{1,3}$/.test(prefix_text)) return undefined;
  const prefix_length = Number(prefix_text);
  if (prefix_length > prefix_length_max) return undefined;
  return { address, prefix_length, family };
}

export type AddressListParse =
  | { readonly ok: true; readonly list: AddressList }
  | { readonly ok: false; readonly problems: readonly string[] };

/** An immutable set of address ranges; `includes` answers for one client address. */
export class AddressList {
  readonly ranges: readonly AddressRange[];
  readonly #block_list = new BlockList();

  constructor(ranges: readonly AddressRange[]) {
    this.ranges = Object.freeze([...ranges]);
    for (const range of this.ranges) this.#block_list.addSubnet(range.address, range.prefix_length, range.family);
  }

  /** A comma-separated setting; every part that is not an address or range is named in `problems`. */
  static parse(text: string): AddressListParse {
    const parts = text.split(',').map((part) => part.trim()).filter((part) => part.length > 0);
    if (parts.length === 0) return { ok: false, problems: ['must list at least one IP address or CIDR range'] };
    const ranges = parts.map((part) => ({ part, range: parseAddressRange(part) }));
    const problems = ranges.filter(({ range }) => range === undefined).map(({ part }) => `"${part}" is not an IPv4/IPv6 address or CIDR range`);
    if (problems.length > 0) return { ok: false, problems };
    return { ok: true, list: new AddressList(ranges.map(({ range }) => range).filter((range) => range !== undefined)) };
  }

  /** Lists known to be valid (constants): a bad one is a programming error. */
  static of(texts: readonly string[]): AddressList {
    const parsed = AddressList.parse(texts.join(','));
    if (!parsed.ok) throw new Error(`invalid address list: ${parsed.problems.join('; ')}`);
    return parsed.list;
  }

  /** False for anything that is not an IP address (an empty or unknown client address included). */
  includes(address: string): boolean {
    const version = isIP(address);
    if (version === 0) return false;
    return this.#block_list.check(address, version === 4 ? 'ipv4' : 'ipv6');
  }

  /** The ranges in CIDR form, e.g. for a library that takes them as strings. */
  toCidrs(): string[] {
    return this.ranges.map((range) => `${range.address}/${range.prefix_length}`);
  }
}
