/**
 * RFC 4515 §3: in a filter's assertion value, `*`, `(`, `)`, `\` and NUL are written as `\2a`,
 * `\28`, `\29`, `\5c` and `\00`, so a value can never end the assertion, add one, or become a
 * wildcard. Every other character (UTF-8 included) may appear as it is.
 */
export function escapeFilterValue(value: string): string {
  return value.replace(
    /[*()\\\0]/g,
    (char) => `\\${char.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

/**
 * The administrator's filter template with every `{name}` replaced by the escaped `value`: the
 * only way a user-supplied value reaches a filter.
 */
export function fillFilter(template: string, name: 'username' | 'dn', value: string): string {
  return template.split(`{${name}}`).join(escapeFilterValue(value));
}
