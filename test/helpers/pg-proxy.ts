import net from 'node:net';

export interface PgProxy {
  /** The store URL through the proxy, with ?schema= set. */
  url: (schema: string) => string;
  /** Closes every connection through the proxy and refuses new ones until restore(). */
  cut: () => void;
  restore: () => void;
  /** Keeps every connection open but passes none of PostgreSQL's answers on (a database that stopped answering). */
  mute: (on: boolean) => void;
  close: () => void;
  /**
   * Arms the proxy for one transaction whose statements match `writes` (default: an INSERT into the events table): its
   * COMMIT is passed on to PostgreSQL (which commits), then the connection is closed before the answer reaches the
   * server and new connections are refused for refuseMs: a COMMIT whose answer was lost. Resolves once it is cut.
   */
  cutAfterCommit: (refuseMs: number, writes?: RegExp) => Promise<void>;
  /**
   * Arms the proxy for the next transaction whose statements match `writes`: its COMMIT is passed on to PostgreSQL (which
   * commits), and PostgreSQL's answers on that connection are held back until release() (a COMMIT whose answer is slow
   * to come back). `held` resolves once its COMMIT has been passed on.
   */
  holdCommit: (writes: RegExp) => { held: Promise<void>; release: () => void };
  /**
   * Arms the proxy for the next transaction whose statements match `writes`: its COMMIT is held back, not passed on, and
   * the server's end of that connection is closed (its COMMIT's answer lost) while PostgreSQL's end stays open, the
   * transaction still open there (a COMMIT still on its way, or PostgreSQL slow to take it). `stalled` resolves then;
   * forward() passes the COMMIT on to PostgreSQL (which commits, if its session is still there), then closes its end.
   */
  stallCommit: (writes: RegExp) => { stalled: Promise<void>; forward: () => void };
  /** The next connection that sends a statement matching `statement` is closed (both ends) instead; resolves then. */
  killOn: (statement: RegExp) => Promise<void>;
}

/** A TCP proxy on loopback to the PostgreSQL at `pgUrl` (the tests' LOOKOUT_TEST_PG_URL). */
export async function pgProxy(pgUrl: string): Promise<PgProxy> {
  const target = new URL(pgUrl);
  let refusing = false;
  let muted = false;
  let armed: ((value: void) => void) | null = null;
  let armedWrites = /INSERT INTO \S+\.events\b/;
  let refuseMs = 0;
  const sockets = new Set<net.Socket>();
  const stalls: Array<{ writes: RegExp; stalled: () => void; forward: Promise<void> }> = [];
  const holds: Array<{ writes: RegExp; held: () => void; release: Promise<void> }> = [];
  let kill: { statement: RegExp; killed: () => void } | null = null;
  const track = (s: net.Socket): void => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  };
  const cut = (): void => {
    refusing = true;
    for (const s of sockets) s.destroy();
  };
  const server = net.createServer((c) => {
    track(c);
    if (refusing) {
      c.destroy();
      return;
    }
    const u = net.connect(Number(target.port || 5432), target.hostname);
    track(u);
    let wrote = false;
    let mute = false;
    let hold: (typeof holds)[number] | null = null;
    let stall: (typeof stalls)[number] | null = null;
    let holding: Buffer[] | null = null;
    c.on('data', (d: Buffer) => {
      const text = d.toString('latin1');
      if (kill !== null && kill.statement.test(text)) {
        const { killed } = kill;
        kill = null;
        c.destroy();
        u.destroy();
        killed();
        return;
      }
      if (stall === null) {
        const i = stalls.findIndex((h) => h.writes.test(text));
        if (i >= 0) stall = stalls.splice(i, 1)[0] ?? null;
      }
      if (stall !== null && text.includes('COMMIT\0')) {
        const { stalled, forward } = stall;
        stall = null;
        c.removeAllListeners('close');
        u.removeAllListeners('close');
        c.destroy();
        stalled();
        void forward.then(() => {
          if (!u.destroyed) u.write(d);
          setTimeout(() => u.destroy(), 500);
        });
        return;
      }
      if (hold === null) {
        const i = holds.findIndex((h) => h.writes.test(text));
        if (i >= 0) hold = holds.splice(i, 1)[0] ?? null;
      }
      if (hold !== null && holding === null && text.includes('COMMIT\0')) {
        const buffered: Buffer[] = (holding = []);
        hold.held();
        void hold.release.then(() => {
          holding = null;
          for (const b of buffered) c.write(b);
        });
        hold = null;
      }
      if (armedWrites.test(text)) wrote = true;
      const commit = text.includes('COMMIT\0');
      if (commit && wrote && armed !== null) {
        const done = armed;
        armed = null;
        mute = true; // PostgreSQL's answer to this COMMIT never reaches the server
        u.write(d);
        setTimeout(() => {
          cut();
          setTimeout(() => (refusing = false), refuseMs);
          done();
        }, 300);
        return;
      }
      if (commit || /ROLLBACK\0/.test(text)) wrote = false;
      u.write(d);
    });
    u.on('data', (d: Buffer) => {
      if (holding !== null) holding.push(d);
      else if (!mute && !muted) c.write(d);
    });
    c.on('close', () => u.destroy());
    u.on('close', () => c.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: (schema) => {
      const u = new URL(pgUrl);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      u.searchParams.set('schema', schema);
      return u.toString();
    },
    cut,
    restore: () => (refusing = false),
    mute: (on) => (muted = on),
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
    cutAfterCommit: (ms, writes) => {
      refuseMs = ms;
      if (writes) armedWrites = writes;
      return new Promise<void>((resolve) => (armed = resolve));
    },
    holdCommit: (writes) => {
      let release = (): void => undefined;
      let held = (): void => undefined;
      const released = new Promise<void>((r) => (release = r));
      const heldP = new Promise<void>((r) => (held = r));
      holds.push({ writes, held, release: released });
      return { held: heldP, release };
    },
    stallCommit: (writes) => {
      let stalled = (): void => undefined;
      let forward = (): void => undefined;
      const stalledP = new Promise<void>((r) => (stalled = r));
      const forwarded = new Promise<void>((r) => (forward = r));
      stalls.push({ writes, stalled, forward: forwarded });
      return { stalled: stalledP, forward };
    },
    killOn: (statement) => new Promise<void>((killed) => (kill = { statement, killed })),
  };
}
