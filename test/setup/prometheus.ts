/**
 * A strict reader of the Prometheus text exposition format 0.0.4 (prometheus.io, "Exposition
 * formats"), written from the format's description rather than from prom-client, for tests that
 * scrape /metrics. It throws on anything a Prometheus server would refuse: a malformed line, a
 * sample of a family with no TYPE before it or out of its block, a family declared twice,
 * a bad label or value, and a histogram whose buckets are not cumulative or whose +Inf bucket
 * is not its count. The npm parsers at hand each miss part of it (labelled histograms, NaN).
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  /** The sample's own name (`x_bucket`, `x_sum`, `x_count` for a histogram `x`). */
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

export interface MetricFamily {
  readonly type: MetricType;
  readonly help: string;
  readonly samples: Sample[];
}

/** One histogram series: its labels (without `le`), buckets by `le`, sum and count. */
export interface Histogram {
  readonly labels: Record<string, string>;
  readonly buckets: Map<number, number>;
  readonly sum: number;
  readonly count: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set<MetricType>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
/** Go's strconv.ParseFloat: decimals, exponents, and NaN / ±Inf in any case. */
const FLOAT =
  /^[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|[iI][nN][fF](?:[iI][nN][iI][tT][yY])?)$|^[nN][aA][nN]$/;

export function parsePrometheus(text: string): Map<string, MetricFamily> {
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a line feed');
  const families = new Map<string, MetricFamily & { help: string }>();
  const helps = new Map<string, string>();
  let current: string | null = null;
  for (const [index, line] of text.slice(0, -1).split('\n').entries()) {
    const fail = (why: string): never => {
      throw new Error(`line ${index + 1}: ${why}: ${JSON.stringify(line)}`);
    };
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const meta = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(line);
      if (!meta) continue; // a plain comment
      const [, kind, name, rest = ''] = meta;
      if (!NAME.test(name)) fail('bad metric name');
      if (kind === 'HELP') {
        if (helps.has(name)) fail('second HELP');
        helps.set(name, rest.replace(/\\n/g, '\n').replace(/\\\\/g, '\\'));
      } else {
        if (!TYPES.has(rest.trim() as MetricType)) fail('unknown TYPE');
        if (families.has(name)) fail('second TYPE');
        families.set(name, { type: rest.trim() as MetricType, help: '', samples: [] });
        current = name;
      }
      continue;
    }
    const sample = parseSample(line, fail);
    const family = current === null ? undefined : families.get(current);
    if (!family || !belongs(sample.name, current!, family.type))
      fail('sample outside its TYPE block');
    family!.samples.push(sample);
  }
  for (const [name, family] of families) {
    family.help = helps.get(name) ?? '';
    if (family.type === 'histogram') histogramsOf(families, name);
  }
  return families;
}

/** The samples of one family; fails when the family is absent. */
export function samplesOf(families: Map<string, MetricFamily>, name: string): Sample[] {
  const family = families.get(name);
  if (!family) throw new Error(`no ${name} in the scrape: ${[...families.keys()].join(', ')}`);
  return family.samples;
}

/** The series of a histogram family, each checked: cumulative buckets, +Inf = count. */
export function histogramsOf(families: Map<string, MetricFamily>, name: string): Histogram[] {
  const family = families.get(name);
  if (family?.type !== 'histogram') throw new Error(`${name} is not a histogram in the scrape`);
  const series = new Map<
    string,
    { labels: Record<string, string>; buckets: Map<number, number>; sum?: number; count?: number }
  >();
  for (const sample of family.samples) {
    const { le, ...labels } = sample.labels;
    const key = JSON.stringify(Object.entries(labels).sort());
    const entry = series.get(key) ?? { labels, buckets: new Map<number, number>() };
    series.set(key, entry);
    if (sample.name === `${name}_bucket`) {
      if (le === undefined) throw new Error(`${name}_bucket without le`);
      entry.buckets.set(parseValue(le), sample.value);
    } else if (sample.name === `${name}_sum`) entry.sum = sample.value;
    else if (sample.name === `${name}_count`) entry.count = sample.value;
    else throw new Error(`${sample.name} in histogram ${name}`);
  }
  return [...series.values()].map(({ labels, buckets, sum, count }) => {
    const bounds = [...buckets.keys()].sort((a, b) => a - b);
    bounds.forEach((bound, i) => {
      if (i > 0 && buckets.get(bound)! < buckets.get(bounds[i - 1])!)
        throw new Error(`${name}: buckets not cumulative`);
    });
    if (sum === undefined || count === undefined)
      throw new Error(`${name}: a series without _sum or _count`);
    if (buckets.get(Infinity) !== count)
      throw new Error(`${name}: the +Inf bucket is not the count`);
    return { labels, buckets, sum, count };
  });
}

function belongs(sampleName: string, family: string, type: MetricType): boolean {
  if (sampleName === family) return type !== 'histogram';
  const suffixes =
    type === 'histogram'
      ? ['_bucket', '_sum', '_count']
      : type === 'summary'
        ? ['_sum', '_count']
        : [];
  return suffixes.some((suffix) => sampleName === family + suffix);
}

function parseSample(line: string, fail: (why: string) => never): Sample {
  const nameEnd = line.search(/[{ \t]/);
  if (nameEnd <= 0) fail('no value');
  const name = line.slice(0, nameEnd);
  if (!NAME.test(name)) fail('bad metric name');
  const labels: Record<string, string> = {};
  let i = nameEnd;
  if (line[i] === '{') {
    i += 1;
    while (line[i] !== '}') {
      const eq = line.indexOf('=', i);
      if (eq === -1) fail('label without a value');
      const labelName = line.slice(i, eq).trim();
      if (!LABEL_NAME.test(labelName) || labelName in labels)
        fail(`bad or repeated label ${labelName}`);
      if (line[eq + 1] !== '"') fail('label value not quoted');
      let value = '';
      let j = eq + 2;
      for (; j < line.length && line[j] !== '"'; j += 1) {
        if (line[j] === '\\') {
          const escaped = line[j + 1];
          if (escaped === 'n') value += '\n';
          else if (escaped === '\\' || escaped === '"') value += escaped;
          else fail('bad escape in a label value');
          j += 1;
        } else value += line[j];
      }
      if (j >= line.length) fail('unterminated label value');
      labels[labelName] = value;
      i = j + 1;
      if (line[i] === ',') i += 1;
      else if (line[i] !== '}') fail('labels not separated by commas');
    }
    i += 1;
  }
  const rest = line
    .slice(i)
    .trim()
    .split(/[ \t]+/);
  if (rest.length < 1 || rest.length > 2 || (rest.length === 2 && !/^-?\d+$/.test(rest[1])))
    fail('bad value or timestamp');
  if (!FLOAT.test(rest[0])) fail('bad value');
  return { name, labels, value: parseValue(rest[0]) };
}

function parseValue(text: string): number {
  if (/^nan$/i.test(text)) return NaN;
  if (/^[+]?inf(inity)?$/i.test(text)) return Infinity;
  if (/^-inf(inity)?$/i.test(text)) return -Infinity;
  return Number(text);
}
