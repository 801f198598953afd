import assert from 'node:assert/strict';
import { it } from 'node:test';
import { balanceSnapshot } from './balance-snapshot.js';
import { html, raw } from './html.js';

it('escapes every interpolated value unless it is markup already', () => {
  const name = `<script>alert("x")</script> & 'quotes'`;
  assert.equal(html`<p title="${name}">${name}</p>`.toString(),
    '<p title="&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; &#39;quotes&#39;">&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; &#39;quotes&#39;</p>');
  assert.equal(html`<ul>${['a<b', 'c'].map((item) => html`<li>${item}</li>`)}</ul>`.toString(), '<ul><li>a&#60;b</li><li>c</li></ul>');
  assert.equal(html`<div>${html`<b>${'&'}</b>`}${raw('<svg/>')}</div>`.toString(), '<div><b>&#38;</b><svg/></div>', 'fragments are not escaped twice');
  assert.equal(html`${null}${undefined}${false}${0}${''}`.toString(), '0', 'nothing for absent values; numbers print');
});

it('embeds a balance snapshot as inert JSON that no text can break out of', () => {
  const embedded = balanceSnapshot({ line: '+7900***4568', items: ['</script><script>alert(1)</script>'], at_ms: 1, at_text: '1 Jan 03:00' }).toString();
  assert.equal(embedded.match(/<\/script>/g)?.length, 1);
  const json = /^<script type="application\/json" data-rc-balance>(.*)<\/script>$/.exec(embedded)?.[1] ?? '';
  assert.equal((JSON.parse(json) as { items: string[] }).items[0], '</script><script>alert(1)</script>');
});
