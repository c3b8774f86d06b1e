import { readFileSync } from 'node:fs';

/** Fields of /proc/PID/stat after the command's ")" (field 3 is index 0). */
function statFields(pid: number | undefined): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc (NaN elsewhere). */
export function cpuSeconds(pid: number | undefined): number {
  return procCounters(pid).cpuSeconds;
}

/** CPU seconds and minor page faults (/proc/PID/stat field 10) a process has taken so far, from one read (NaN elsewhere). */
export function procCounters(pid: number | undefined): { cpuSeconds: number; minorFaults: number } {
  const f = statFields(pid);
  return f ? { cpuSeconds: (Number(f[11]) + Number(f[12])) / 100, minorFaults: Number(f[7]) } : { cpuSeconds: NaN, minorFaults: NaN };
}

/**
 * What touching a fresh page costs on this machine, in µs (this process: 64 MB allocated and each page written
 * once, median of three). ~0.1-0.3 µs on bare metal; much more in some VMs, where every fault of memory the
 * process got back from the kernel is expensive (the reason for src/cli/duckdb-allocator.ts).
 */
export function freshPageMicros(): number {
  const n = 64 * 1024 * 1024;
  const runs: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t = performance.now();
    const b = Buffer.allocUnsafeSlow(n);
    for (let i = 0; i < n; i += 4096) b[i] = 1;
    runs.push(((performance.now() - t) * 1000) / (n / 4096));
  }
  return runs.sort((a, b) => a - b)[1] ?? NaN;
}

/** Which allocator options the server's DuckDB runs with (the server inherits this process's environment). */
export function duckdbAllocatorLabel(): string {
  const v = process.env['DUCKDB_JE_MALLOC_CONF'];
  return v === undefined ? "lookout's default" : `DUCKDB_JE_MALLOC_CONF="${v}"`;
}
