import { requestIdOf } from './request-id';

describe(requestIdOf.name, () => {
  it.each([
    '3f2c9a1e-7b5d-4c8e-9f0a-1b2c3d4e5f60',
    '01HZX3J9Q7W8',
    'trace:abc.def/1+2=3',
    'x'.repeat(128),
  ])('keeps the well-formed id %s', (id) => {
    expect(requestIdOf(id)).toBe(id);
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['a list', 'a, b'],
    ['too long', 'x'.repeat(129)],
    ['a quote', 'a"b'],
    ['a line break', 'a\nb'],
    ['repeated', ['a', 'b']],
  ])('makes a new UUID when the incoming one is %s', (_why, incoming) => {
    expect(requestIdOf(incoming)).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});
