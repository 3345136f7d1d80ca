import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import net from 'node:net';

/**
 * Whether the database at DATABASE_URL answers and takes this service's login:
 * the PostgreSQL wire protocol's start-up and password exchange (SCRAM-SHA-256,
 * MD5 or clear text, as the server asks), with no driver to install. Say
 * `answers`, `refused (<SQLSTATE>)` (e.g. 28P01: wrong password, 28000: the
 * login may not log in) or `unreachable (<code>)`; never the URL or the
 * password. Swap it for your driver's ping once you add one.
 */
export async function checkDatabase(databaseUrl: string | undefined, timeoutMs = 3000): Promise<string> {
  if (!databaseUrl) return 'not configured';
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    return 'unreachable (DATABASE_URL is not a URL)';
  }
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || user;
  return new Promise(resolve => {
    const socket = net.connect({ host: url.hostname, port: Number(url.port || 5432) });
    let buffer = Buffer.alloc(0);
    let scram: ScramClient | undefined;
    const done = (result: string) => {
      socket.removeAllListeners('data');
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done('unreachable (timeout)'));
    socket.on('error', (error: NodeJS.ErrnoException) => done(`unreachable (${error.code ?? 'error'})`));
    socket.on('connect', () => socket.write(startupMessage(user, database)));
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 5) {
        const length = buffer.readInt32BE(1);
        if (buffer.length < 1 + length) return;
        const type = String.fromCharCode(buffer[0]);
        const body = buffer.subarray(5, 1 + length);
        buffer = buffer.subarray(1 + length);
        if (type === 'E') return done(`refused (${errorCode(body)})`);
        if (type === 'Z') {
          socket.write(Buffer.from([0x58, 0, 0, 0, 4])); // Terminate
          return done('answers');
        }
        if (type !== 'R') continue; // ParameterStatus, BackendKeyData, notices
        const code = body.readInt32BE(0);
        if (code === 3) socket.write(message('p', cstring(password)));
        else if (code === 5) socket.write(message('p', cstring(md5Password(user, password, body.subarray(4, 8)))));
        else if (code === 10) {
          scram = new ScramClient(password);
          const first = Buffer.from(scram.clientFirst());
          const length = Buffer.alloc(4);
          length.writeInt32BE(first.length);
          socket.write(message('p', Buffer.concat([cstring('SCRAM-SHA-256'), length, first])));
        } else if (code === 11 && scram) socket.write(message('p', Buffer.from(scram.clientFinal(body.subarray(4).toString()))));
        else if (code === 12 && scram && !scram.verifyServer(body.subarray(4).toString())) {
          return done('refused (the server did not prove it knows the password)');
        } else if (code !== 0 && code !== 12) return done(`refused (authentication method ${code} is not supported)`);
      }
    });
  });
}

/** SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL speaks it: no channel binding, user name from the start-up. */
export class ScramClient {
  private readonly password: string;
  private readonly nonce: string;
  private readonly user: string;
  private authMessage = '';
  private serverKey = Buffer.alloc(0);

  /** `user` stays empty for PostgreSQL, which takes the login from the start-up message. */
  constructor(password: string, nonce = randomBytes(18).toString('base64'), user = '') {
    this.password = password;
    this.nonce = nonce;
    this.user = user;
  }

  clientFirst(): string {
    return `n,,${this.firstBare()}`;
  }

  clientFinal(serverFirst: string): string {
    const fields = Object.fromEntries(serverFirst.split(',').map(f => [f[0], f.slice(2)]));
    if (!fields.r?.startsWith(this.nonce)) throw new Error('the server nonce does not extend ours');
    const salted = pbkdf2Sync(this.password, Buffer.from(fields.s, 'base64'), Number(fields.i), 32, 'sha256');
    const clientKey = hmac(salted, 'Client Key');
    const withoutProof = `c=biws,r=${fields.r}`;
    this.authMessage = `${this.firstBare()},${serverFirst},${withoutProof}`;
    const signature = hmac(createHash('sha256').update(clientKey).digest(), this.authMessage);
    const proof = Buffer.from(clientKey.map((byte, i) => byte ^ signature[i]));
    this.serverKey = hmac(salted, 'Server Key');
    return `${withoutProof},p=${proof.toString('base64')}`;
  }

  verifyServer(serverFinal: string): boolean {
    const expected = hmac(this.serverKey, this.authMessage).toString('base64');
    return serverFinal.trim() === `v=${expected}`;
  }

  private firstBare() {
    return `n=${this.user},r=${this.nonce}`;
  }
}

const hmac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest();
const cstring = (text: string) => Buffer.from(`${text}\0`);

function message(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0);
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

function startupMessage(user: string, database: string): Buffer {
  const body = Buffer.concat([cstring('user'), cstring(user), cstring('database'), cstring(database), Buffer.from([0])]);
  const header = Buffer.alloc(8);
  header.writeInt32BE(body.length + 8, 0);
  header.writeInt32BE(196608, 4); // protocol 3.0
  return Buffer.concat([header, body]);
}

function md5Password(user: string, password: string, salt: Buffer): string {
  const inner = createHash('md5').update(password + user).digest('hex');
  return `md5${createHash('md5').update(Buffer.concat([Buffer.from(inner), salt])).digest('hex')}`;
}

/** The SQLSTATE of an ErrorResponse: a code, never the message (it may name the login). */
function errorCode(body: Buffer): string {
  for (let i = 0; i < body.length && body[i] !== 0; ) {
    const end = body.indexOf(0, i + 1);
    if (String.fromCharCode(body[i]) === 'C') return body.subarray(i + 1, end).toString();
    i = end + 1;
  }
  return 'error';
}
