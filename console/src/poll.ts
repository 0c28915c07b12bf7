import { useEffect, useRef } from 'preact/hooks';

/**
 * Calls `tick` every `ms` while `active`, one call at a time (the next waits for the previous);
 * stops when the component goes away.
 */
export function usePoll(active: boolean, ms: number, tick: () => Promise<unknown>): void {
  const latest = useRef(tick);
  latest.current = tick;
  useEffect(() => {
    if (!active) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const loop = async () => {
      if (stopped) return;
      try {
        await latest.current();
      } catch {
        // The tick shows its own errors.
      }
      if (!stopped) timer = setTimeout(loop, ms);
    };
    timer = setTimeout(loop, ms);
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [active, ms]);
}

/** A labelled progress bar with its percentage as text. */
export function percentText(value: number): string {
  return `${Math.round(Math.max(0, Math.min(100, value)))} %`;
}

export function downloadBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
