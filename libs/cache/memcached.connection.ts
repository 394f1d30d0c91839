import { Socket } from 'node:net';
import type { ReplyParser } from './memcached.protocol.ts';

export interface MemcachedConnectionOptions {
  host: string;
  port: number;
  /** Connecting, and each request's reply: past it the connection is dropped and its requests fail. */
  timeoutMs: number;
}

interface InFlight {
  parse: ReplyParser<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * One TCP connection to one memcached server, requests pipelined: replies come back in the order the
 * commands were sent, so each is parsed by the parser at the head of the queue. Anything unexpected (a timeout,
 * a reply that does not parse, the socket closing) fails every request in flight and drops the connection —
 * a late reply could otherwise be taken for the next request's — and the next request connects again.
 */
export class MemcachedConnection {
  private socket: Socket | undefined;
  private connecting: Promise<Socket> | undefined;
  private inFlight: InFlight[] = [];
  private received: Buffer = Buffer.alloc(0);

  constructor(private readonly opts: MemcachedConnectionOptions) {}

  async request<T>(command: Buffer, parse: ReplyParser<T>): Promise<T> {
    const socket = await this.connect();
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => this.fail(new Error(`memcached ${this.address()} did not answer within ${this.opts.timeoutMs} ms`)),
        this.opts.timeoutMs,
      );
      this.inFlight.push({
        parse: parse as ReplyParser<unknown>,
        resolve: resolve as (v: unknown) => void,
        reject,
        timer,
      });
      socket.write(command);
    });
  }

  close(): void {
    this.fail(new Error('memcached connection closed'));
  }

  private address(): string {
    return `${this.opts.host}:${this.opts.port}`;
  }

  private connect(): Promise<Socket> {
    if (this.socket) return Promise.resolve(this.socket);
    this.connecting ??= new Promise<Socket>((resolve, reject) => {
      const socket = new Socket();
      socket.setNoDelay(true);
      const timer = setTimeout(
        () => socket.destroy(new Error(`memcached ${this.address()}: no connection within ${this.opts.timeoutMs} ms`)),
        this.opts.timeoutMs,
      );
      let settled = false;
      socket.once('connect', () => {
        clearTimeout(timer);
        settled = true;
        this.socket = socket;
        this.connecting = undefined;
        resolve(socket);
      });
      // Events of a socket already given up on (a late 'close') must not touch its successor.
      socket.on('data', (chunk: Buffer) => {
        if (this.socket === socket) this.onData(chunk);
      });
      socket.on('error', (err) => {
        clearTimeout(timer);
        if (this.socket === socket) this.fail(err);
        else if (this.connecting && !settled) {
          this.connecting = undefined;
          reject(err);
        }
        settled = true;
      });
      socket.on('close', () => {
        if (this.socket === socket) this.fail(new Error(`memcached ${this.address()} closed the connection`));
      });
      socket.connect(this.opts.port, this.opts.host);
    });
    return this.connecting;
  }

  private onData(chunk: Buffer): void {
    this.received = this.received.length === 0 ? chunk : Buffer.concat([this.received, chunk]);
    while (this.inFlight.length > 0 && this.received.length > 0) {
      const head = this.inFlight[0] as InFlight;
      let parsed;
      try {
        parsed = head.parse(this.received);
      } catch (err) {
        this.fail(err as Error);
        return;
      }
      if (!parsed.done) return;
      this.received = this.received.subarray(parsed.used);
      this.inFlight.shift();
      clearTimeout(head.timer);
      head.resolve(parsed.value);
    }
  }

  private fail(err: Error): void {
    const failed = this.inFlight;
    this.inFlight = [];
    this.received = Buffer.alloc(0);
    const socket = this.socket;
    this.socket = undefined;
    socket?.destroy();
    for (const r of failed) {
      clearTimeout(r.timer);
      r.reject(err);
    }
  }
}
