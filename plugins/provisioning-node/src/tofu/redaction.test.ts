import { connectionPassword, Redactor } from './redaction';

describe('Redactor', () => {
  it('hides strings, their JSON-escaped form, and the leaves of objects', () => {
    const redactor = new Redactor(['s3cr3t-token']);
    redactor.add({ API_KEY: 'key"with"quotes', nested: ['abc123'], n: 98765 });
    expect(
      redactor.redact(
        'token s3cr3t-token key"with"quotes "key\\"with\\"quotes" abc123 98765',
      ),
    ).toBe('token *** *** "***" *** ***');
  });

  it('hides the longest secret first and ignores values too short to matter', () => {
    const redactor = new Redactor(['ab', 'pass', 'password1']);
    expect(redactor.redact('ab password1 pass')).toBe('ab *** ***');
  });

  it('finds the password of a PostgreSQL connection string', () => {
    expect(connectionPassword('postgres://u:p%40ss@h:5432/db')).toBe('p@ss');
    expect(connectionPassword('postgres://u@h/db')).toBeUndefined();
    expect(connectionPassword("host=h password='it\\'s' user=u")).toBe("it's");
    expect(connectionPassword('host=h password=plain user=u')).toBe('plain');
  });
});
