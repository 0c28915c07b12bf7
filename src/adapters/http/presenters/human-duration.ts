/** "2 minutes", as the seed writes durations; rounded up, since it is an estimate of time left. */
export function humanDuration(ms: number): string {
  if (ms <= 0) return '0 seconds';
  const seconds = Math.ceil(ms / 1000);
  if (seconds < 60) return plural(seconds, 'second');
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return plural(minutes, 'minute');
  return plural(Math.ceil(minutes / 60), 'hour');
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}
