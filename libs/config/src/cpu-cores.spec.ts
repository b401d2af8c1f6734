import { cgroupCpuQuota, cpuCores, ReadText } from './cpu-cores';

/** A file system of the given files only. */
function files(entries: Record<string, string>): ReadText {
  return (path) => entries[path] ?? null;
}

describe(cpuCores.name, () => {
  it('is the CPUs the process may run on when no cgroup is readable', () => {
    expect(cpuCores(files({}), 8)).toBe(8);
  });

  it('is the CPUs when the cgroup sets no quota (v2 "max", v1 -1)', () => {
    const v2 = files({ '/proc/self/cgroup': '0::/\n', '/sys/fs/cgroup/cpu.max': 'max 100000\n' });
    const v1 = files({
      '/proc/self/cgroup': '4:cpu,cpuacct:/\n',
      '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '-1\n',
      '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n',
    });

    expect(cpuCores(v2, 8)).toBe(8);
    expect(cpuCores(v1, 8)).toBe(8);
  });

  it("is a container's CPU limit, rounded up, on a host with more CPUs", () => {
    // docker run --cpus=1.5 on cgroup v2 with its own cgroup namespace.
    const read = files({
      '/proc/self/cgroup': '0::/\n',
      '/sys/fs/cgroup/cpu.max': '150000 100000\n',
    });

    expect(cpuCores(read, 64)).toBe(2);
  });

  it('is at least one core under a quota of a fraction of one', () => {
    const read = files({
      '/proc/self/cgroup': '0::/kubepods/pod1/app\n',
      '/sys/fs/cgroup/kubepods/pod1/app/cpu.max': '50000 100000\n',
    });

    expect(cpuCores(read, 64)).toBe(1);
  });

  it('never exceeds the CPUs the process may run on', () => {
    const read = files({
      '/proc/self/cgroup': '0::/\n',
      '/sys/fs/cgroup/cpu.max': '800000 100000',
    });

    expect(cpuCores(read, 2)).toBe(2);
  });
});

describe(cgroupCpuQuota.name, () => {
  it("reads cgroup v2's cpu.max under the process's path, else at the mount's root", () => {
    const underPath = files({
      '/proc/self/cgroup': '0::/system.slice/idp.service\n',
      '/sys/fs/cgroup/system.slice/idp.service/cpu.max': '200000 100000\n',
    });
    // Without a cgroup namespace the path names the host's tree, which the container mounts as /.
    const atRoot = files({
      '/proc/self/cgroup': '0::/docker/0123abcd\n',
      '/sys/fs/cgroup/cpu.max': '300000 100000\n',
    });

    expect(cgroupCpuQuota(underPath)).toBe(2);
    expect(cgroupCpuQuota(atRoot)).toBe(3);
  });

  it("reads cgroup v1's quota and period, where the cpu controller is mounted", () => {
    const read = files({
      '/proc/self/cgroup':
        '12:pids:/docker/0123abcd\n4:cpu,cpuacct:/docker/0123abcd\n1:name=systemd:/docker/0123abcd\n',
      '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '250000\n',
      '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n',
    });

    expect(cgroupCpuQuota(read)).toBe(2.5);
  });

  it('takes the v1 cpu controller on a hybrid host whose unified tree has no cpu.max', () => {
    const read = files({
      '/proc/self/cgroup': '1:cpu:/batch\n0::/\n',
      '/sys/fs/cgroup/cpu/batch/cpu.cfs_quota_us': '100000\n',
      '/sys/fs/cgroup/cpu/batch/cpu.cfs_period_us': '100000\n',
    });

    expect(cgroupCpuQuota(read)).toBe(1);
  });

  it('ignores what it cannot read as a quota', () => {
    const read = files({
      '/proc/self/cgroup': '0::/\nnot a cgroup line\n',
      '/sys/fs/cgroup/cpu.max': 'garbage\n',
    });

    expect(cgroupCpuQuota(read)).toBeNull();
  });
});
