/**
 * Draining at process end. Listeners are installed only while some participant (an async logger
 * with queued data, the fluent API with an active run) needs them, and removed when idle, so an
 * idle lablog changes nothing about how the process exits.
 *
 * - `beforeExit` (the event loop ran dry): participants drain asynchronously, then the process
 *   exits normally. This is MLflow's `atexit` drain.
 * - `SIGINT` / `SIGTERM`: our listeners are removed first (so a second Ctrl-C kills at once),
 *   participants drain (bounded by {@link setShutdownTimeout}), then the signal is raised again
 *   so the default behaviour (exit by that signal) happens. Ctrl-C is never swallowed: when the
 *   application has SIGINT listeners of its own, they already got the signal and decide.
 * - `exit` (`process.exit()` or an uncaught exception): nothing can be awaited any more, so
 *   queued data is lost; participants only warn about it. Call `await flush()` before
 *   `process.exit()`.
 */

/** Something that has work to finish before the process ends. */
export interface ShutdownParticipant {
  /** Lower runs first: the fluent API (ends runs, flushing them) before the loggers. */
  readonly order: number;
  /** True while it has queued data, writes in flight or open runs. */
  isActive(): boolean;
  /** Normal end of the process: drain (and end runs FINISHED). Must not reject. */
  onBeforeExit(): Promise<void>;
  /** SIGINT/SIGTERM: drain (and end runs KILLED). Must not reject. */
  onSignal(signal: NodeJS.Signals): Promise<void>;
  /** Synchronous last word on `exit` (warn about lost data). */
  onExit?(): void;
}

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
const participants = new Set<ShutdownParticipant>();
let installed = false;
let signalled = false;
let beforeExitRunning = false;
let idleBeforeExitPasses = 0;
let timeoutMs = 10_000;

/**
 * Adds a participant and returns a function that removes it. Call
 * {@link updateShutdownHooks} when its activity changes.
 */
export function addShutdownParticipant(p: ShutdownParticipant): () => void {
  participants.add(p);
  updateShutdownHooks();
  return () => {
    participants.delete(p);
    updateShutdownHooks();
  };
}

/** How long a signal waits for draining before the signal is raised again (default 10 s). */
export function setShutdownTimeout(ms: number): void {
  timeoutMs = ms;
}

/** True while process listeners are installed (for tests). */
export function shutdownHooksInstalled(): boolean {
  return installed;
}

/** Installs the process listeners when a participant is active, removes them when none is. */
export function updateShutdownHooks(): void {
  if (signalled || typeof process === 'undefined' || typeof process.on !== 'function') return;
  const active = anyActive();
  if (active && !installed) {
    installed = true;
    process.on('beforeExit', onBeforeExit);
    process.on('exit', onExit);
    for (const s of SIGNALS) process.on(s, onSignal);
  } else if (!active && installed && !beforeExitRunning) {
    uninstall();
  }
}

function anyActive(): boolean {
  for (const p of participants) if (p.isActive()) return true;
  return false;
}

function uninstall(): void {
  installed = false;
  process.removeListener('beforeExit', onBeforeExit);
  process.removeListener('exit', onExit);
  for (const s of SIGNALS) process.removeListener(s, onSignal);
}

function ordered(): ShutdownParticipant[] {
  return [...participants].sort((a, b) => a.order - b.order);
}

async function onBeforeExit(): Promise<void> {
  if (beforeExitRunning) return;
  // Guard against a participant that stays active forever: give up after a few idle passes.
  if (++idleBeforeExitPasses > 3) {
    uninstall();
    return;
  }
  beforeExitRunning = true;
  try {
    for (const p of ordered()) if (p.isActive()) await p.onBeforeExit().catch(() => undefined);
  } finally {
    beforeExitRunning = false;
    if (!anyActive()) idleBeforeExitPasses = 0;
    updateShutdownHooks();
  }
}

function onExit(): void {
  for (const p of ordered()) {
    try {
      p.onExit?.();
    } catch {
      // nothing can be done at exit
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  if (signalled) return;
  signalled = true;
  uninstall();
  const drain = (async () => {
    for (const p of ordered()) if (p.isActive()) await p.onSignal(signal).catch(() => undefined);
  })();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  void Promise.race([drain, timeout]).then(() => {
    clearTimeout(timer);
    // Re-raise for the default behaviour, unless the application handles the signal itself.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    else signalled = false;
  });
}
