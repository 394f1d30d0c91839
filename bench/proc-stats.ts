import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second in /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const CLK_TCK = 100;

/**
 * CPU seconds (user + system) a process has used, and its resident memory in MiB, from /proc. Linux only;
 * a process that is gone (or another OS) reads as zero rather than failing a benchmark at its end.
 */
export function procStats(pid: number | undefined): { cpu: number; rssMb: number } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name in parentheses may hold spaces: the fields start after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return { cpu: (Number(fields[11]) + Number(fields[12])) / CLK_TCK, rssMb: Number(rss ?? 0) / 1024 };
  } catch {
    return { cpu: 0, rssMb: 0 };
  }
}

/**
 * Nanoseconds every thread of a process has spent on a CPU (/proc/<pid>/task/<tid>/schedstat, first field):
 * fine enough for one request, where /proc/<pid>/stat counts in 10 ms ticks, and unlike the clock it does not
 * count the time other processes held the cores. Zero where it cannot be read.
 */
export function cpuNs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    let total = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`))
      total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    return total;
  } catch {
    return 0;
  }
}
