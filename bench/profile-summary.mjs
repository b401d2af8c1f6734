// Summarizes a V8 .cpuprofile (from `BENCH_PROFILE=1 npm run bench`): self time by function and
// by package or source area, so the bench's claims point at evidence.
// Usage: node bench/profile-summary.mjs <file.cpuprofile> [top=25]
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfTicks = new Map();
for (const id of profile.samples) selfTicks.set(id, (selfTicks.get(id) ?? 0) + 1);
const total = profile.samples.length;

function area(url) {
  if (!url) return '(native/gc/idle)';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  if (url.startsWith('node:')) return url;
  const d = /dist\/((?:apps|libs)\/[^/]+)/.exec(url);
  if (d) return d[1];
  return url.replace(/^file:\/\//, '');
}

const fn = new Map();
const areas = new Map();
for (const [id, ticks] of selfTicks) {
  const { callFrame: f } = byId.get(id);
  const key = `${f.functionName || '(anonymous)'} ${area(f.url)}${f.url && !f.url.includes('node_modules') ? `:${f.lineNumber + 1}` : ''}`;
  fn.set(key, (fn.get(key) ?? 0) + ticks);
  const a =
    f.functionName === '(idle)'
      ? '(idle)'
      : f.functionName === '(garbage collector)'
        ? '(gc)'
        : f.functionName === '(program)'
          ? '(program)'
          : area(f.url);
  areas.set(a, (areas.get(a) ?? 0) + ticks);
}
const busy = total - (areas.get('(idle)') ?? 0);
const pct = (t) => `${((t / busy) * 100).toFixed(1).padStart(5)}%`;
console.log(`${file}: ${total} samples, ${busy} not idle (percentages of non-idle)`);
console.log('\nby area:');
for (const [k, v] of [...areas]
  .filter(([k]) => k !== '(idle)')
  .sort((a, b) => b[1] - a[1])
  .slice(0, top))
  console.log(`${pct(v)}  ${k}`);
console.log('\nby function (self):');
for (const [k, v] of [...fn]
  .filter(([k]) => !k.startsWith('(idle)'))
  .sort((a, b) => b[1] - a[1])
  .slice(0, top))
  console.log(`${pct(v)}  ${k}`);
