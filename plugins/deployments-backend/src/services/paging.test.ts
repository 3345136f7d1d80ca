import { cursorOut, parsePage } from './paging';

describe('parsePage', () => {
  it('defaults the limit to 20 and has no cursor on the first page', () => {
    expect(parsePage({})).toEqual({ limit: 20 });
  });

  it('takes a cursor the API returned', () => {
    expect(parsePage({ limit: 5, cursor: '42' })).toEqual({
      limit: 5,
      cursor: 42,
    });
  });

  it.each([0, 101, 2.5])('refuses limit %p, naming the field', limit => {
    expect(() => parsePage({ limit })).toThrow(
      expect.objectContaining({
        name: 'InputError',
        message: 'limit: must be a whole number from 1 to 100',
      }),
    );
  });

  it.each(['abc', '-1', '1e3', '99999999999999999999'])(
    'refuses cursor %p, naming the field',
    cursor => {
      expect(() => parsePage({ cursor })).toThrow(
        expect.objectContaining({
          name: 'InputError',
          message: expect.stringMatching(/^cursor: ".*" is not a cursor/),
        }),
      );
    },
  );

  it('returns the store cursor as a string', () => {
    expect(cursorOut(7)).toBe('7');
    expect(cursorOut(undefined)).toBeUndefined();
  });
});
