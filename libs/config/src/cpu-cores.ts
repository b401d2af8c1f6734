import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** Reads a text file, or null when it is not there. */
export type ReadText = (path: string) => string | null;

const readText: ReadText = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
};

/**
 * The cores this process may use: the CPUs it may run on, capped by its cgroup's CPU quota (a
 * container's `--cpus`, a pod's CPU limit). Node 20's availableParallelism reads only the
 * affinity mask (libuv 1.46), so a container limited to one CPU on a 64-core host would get 64
 * concurrent argon2id hashes of 19 MiB each, and the memory limit would end the process first.
 */
export function cpuCores(read: ReadText = readText, cpus = availableParallelism()): number {
  const quota = cgroupCpuQuota(read);
  return quota === null ? cpus : Math.max(1, Math.min(cpus, Math.ceil(quota)));
}

/**
 * This process's CPU quota in cores (the smallest where several hierarchies set one), or null
 * when none is set: cgroup v2 `cpu.max`, cgroup v1 `cpu.cfs_quota_us` / `cpu.cfs_period_us`.
 * A container sees its own cgroup either under its path or at the mount's root.
 */
export function cgroupCpuQuota(read: ReadText): number | null {
  const membership = read('/proc/self/cgroup');
  if (membership === null) return null;
  const quotas: number[] = [];
  for (const line of membership.split('\n')) {
    const match = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!match) continue;
    const [, id, controllers, path] = match;
    const under = (root: string) => [`${root}${path === '/' ? '' : path}`, root];
    const quota =
      id === '0' && controllers === ''
        ? firstQuota(under('/sys/fs/cgroup'), (dir) => v2Quota(read(`${dir}/cpu.max`)))
        : controllers.split(',').includes('cpu')
          ? firstQuota(
              [...under('/sys/fs/cgroup/cpu'), ...under(`/sys/fs/cgroup/${controllers}`)],
              (dir) => v1Quota(read(`${dir}/cpu.cfs_quota_us`), read(`${dir}/cpu.cfs_period_us`)),
            )
          : null;
    if (quota !== null) quotas.push(quota);
  }
  return quotas.length > 0 ? Math.min(...quotas) : null;
}

/** The quota of the first directory that has a readable one (null: none, or unlimited). */
function firstQuota(
  dirs: string[],
  quotaOf: (dir: string) => number | null | undefined,
): number | null {
  for (const dir of new Set(dirs)) {
    const quota = quotaOf(dir);
    if (quota !== undefined) return quota;
  }
  return null;
}

/** `cpu.max` ("max 100000" or "150000 100000"): cores, null when unlimited, undefined when unreadable. */
function v2Quota(text: string | null): number | null | undefined {
  if (text === null) return undefined;
  const [quota, period] = text.trim().split(/\s+/);
  if (quota === 'max') return null;
  return coresOf(Number(quota), Number(period));
}

/** cgroup v1: a quota of -1 is unlimited. */
function v1Quota(quota: string | null, period: string | null): number | null | undefined {
  if (quota === null || period === null) return undefined;
  const q = Number(quota.trim());
  if (q < 0) return null;
  return coresOf(q, Number(period.trim()));
}

function coresOf(quota: number, period: number): number | undefined {
  if (!Number.isFinite(quota) || !Number.isFinite(period) || quota <= 0 || period <= 0) {
    return undefined;
  }
  return quota / period;
}
