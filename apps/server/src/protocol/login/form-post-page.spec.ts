import { createHash } from 'node:crypto';

import { FORM_POST_CSP, renderFormPostPage } from './form-post-page';

describe(renderFormPostPage.name, () => {
  const response = {
    redirectUri: 'https://app.example.com/cb?a=1&b="2"',
    responseMode: 'form_post',
    params: { code: 'c', state: '"><script>alert(1)</script>' },
  } as const;

  it('escapes the action and every value', () => {
    const html = renderFormPostPage(response);

    expect(html).toContain('action="https://app.example.com/cb?a=1&amp;b=&quot;2&quot;"');
    expect(html).toContain(
      '<input type="hidden" name="state" value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">',
    );
    expect(html.match(/<script>/g)).toHaveLength(1);
  });

  it('allows exactly its own script in the CSP, by hash', () => {
    const script = /<script>([^<]*)<\/script>/.exec(renderFormPostPage(response))?.[1] ?? '';
    const hash = createHash('sha256').update(script).digest('base64');

    expect(FORM_POST_CSP).toBe(
      `default-src 'none'; script-src 'sha256-${hash}'; base-uri 'none'; frame-ancestors 'none'`,
    );
  });
});
