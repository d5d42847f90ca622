// Authelia durations: `1h`, `90m`, `1h30m`, `1 week`, `2d`, `10s`, or a plain number of seconds.

const UNITS: Record<string, number> = {
  s: 1, sec: 1, second: 1, seconds: 1,
  m: 60, min: 60, minute: 60, minutes: 60,
  h: 3600, hour: 3600, hours: 3600,
  d: 86400, day: 86400, days: 86400,
  w: 604800, week: 604800, weeks: 604800,
  M: 2592000, month: 2592000, months: 2592000,
  y: 31536000, year: 31536000, years: 31536000,
};

/** Seconds; throws with a readable reason on anything else. */
export function parseDuration(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  if (typeof value !== 'string' || !value.trim()) throw new Error(`not a duration: ${JSON.stringify(value)}`);
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const re = /(\d+)\s*([a-zA-Z]+)\s*/gy;
  let total = 0;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(text)) !== null) {
    const unit = UNITS[m[2]!] ?? UNITS[m[2]!.toLowerCase()];
    if (unit === undefined) throw new Error(`unknown duration unit "${m[2]}" in ${JSON.stringify(value)}`);
    total += Number(m[1]) * unit;
    consumed = re.lastIndex;
  }
  if (consumed !== text.length) throw new Error(`not a duration: ${JSON.stringify(value)} (use e.g. 1h, 90m, 1h30m, 1 week)`);
  return total;
}

/** Shortest Authelia spelling, e.g. 5400 -> `1h30m`, for sources quoting a default. */
export function formatDuration(seconds: number): string {
  if (seconds === 0) return '0s';
  const parts: string[] = [];
  let rest = seconds;
  for (const [unit, size] of [['w', 604800], ['d', 86400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join('');
}
