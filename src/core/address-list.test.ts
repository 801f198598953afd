import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AddressList, isPlainHttpOnLoopback, LOOPBACK_RANGES, parseAddressRange } from './address-list.js';

describe('address allow-lists', () => {
  it('read addresses and CIDR ranges of both families, with spaces and empty parts', () => {
    const parsed = AddressList.parse(' 10.0.0.0/8, 192.0.2.7 ,,2001:db8::/32, ::1');
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.list.toCidrs(), ['10.0.0.0/8', '192.0.2.7/32', '2001:db8::/32', '::1/128']);
  });

  it('name every part that is not an address or range', () => {
    const parsed = AddressList.parse('10.0.0.0/33, 1.2.3, 10.0.0.1, example.com, ::1/129, 10.0.0.0/8/1, 10.0.0.0/-1');
    assert.equal(parsed.ok, false);
    assert.deepEqual(!parsed.ok && parsed.problems.map((problem) => /"([^"]*)"/.exec(problem)?.[1]), ['10.0.0.0/33', '1.2.3', 'example.com', '::1/129', '10.0.0.0/8/1', '10.0.0.0/-1']);
    assert.deepEqual(AddressList.parse(' , '), { ok: false, problems: ['must list at least one IP address or CIDR range'] });
  });

  it('match by range, IPv4-mapped IPv6 as its IPv4 address', () => {
    const list = AddressList.of(['10.0.0.0/8', '192.0.2.7', '2001:db8::/32']);
    for (const inside of ['10.0.0.1', '10.255.255.255', '192.0.2.7', '::ffff:10.1.2.3', '::ffff:192.0.2.7', '2001:db8::1', '2001:db8:ffff::5']) {
      assert.equal(list.includes(inside), true, inside);
    }
    for (const outside of ['11.0.0.1', '192.0.2.8', '2001:db9::1', '::ffff:11.0.0.1', '::1', '127.0.0.1', '', 'unknown', '10.0.0.1, 11.0.0.1']) {
      assert.equal(list.includes(outside), false, outside);
    }
  });

  it('loopback is 127.0.0.0/8 and ::1 (and IPv4 loopback seen on a dual-stack socket)', () => {
    const loopback = AddressList.of(LOOPBACK_RANGES);
    for (const address of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) assert.equal(loopback.includes(address), true, address);
    for (const address of ['128.0.0.1', '::2', '0.0.0.0', '::', '10.0.0.1']) assert.equal(loopback.includes(address), false, address);
  });

  it('plain http is loopback only when the URL names this machine as a local setup writes it', () => {
    for (const url of ['http://localhost:3000/', 'http://127.0.0.1:8080/v3/', 'http://[::1]:12111']) assert.equal(isPlainHttpOnLoopback(new URL(url)), true, url);
    for (const url of ['https://localhost/', 'http://api.yookassa.ru/', 'http://127.0.0.2/', 'http://localhost.example/', 'http://[::2]/', 'ftp://127.0.0.1/']) {
      assert.equal(isPlainHttpOnLoopback(new URL(url)), false, url);
    }
  });

  it('parse one range with its family and prefix', () => {
    assert.deepEqual(parseAddressRange('185.71.76.0/27'), { address: '185.71.76.0', prefix_length: 27, family: 'ipv4' });
    assert.deepEqual(parseAddressRange('2a02:5180::/32'), { address: '2a02:5180::', prefix_length: 32, family: 'ipv6' });
    assert.deepEqual(parseAddressRange('77.75.156.11'), { address: '77.75.156.11', prefix_length: 32, family: 'ipv4' });
    assert.equal(parseAddressRange('77.75.156.11/'), undefined);
  });
});
