/**
 * Work a use case starts and does not wait for (a migration run answers 202 at once). The work
 * must handle its own failures; an adapter only reports what escapes.
 */
export interface BackgroundTasks {
  start(name: string, work: () => Promise<void>): void;
}
