// Ctrl-C (or SIGTERM) during a soak: run the registered clean-ups — stop the server, make sure
// PostgreSQL is running, drop the soak database — then exit 130, instead of leaving them behind.
const cleanups = new Set();

/** Registers a clean-up for an interrupt; returns the function that unregisters it. */
export function onInterrupt(cleanup) {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

export function cleanUpOnInterrupt(say) {
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, async () => {
      say(`\n${signal}: cleaning up before exiting (server, PostgreSQL, soak database)`);
      for (const cleanup of [...cleanups].reverse()) await cleanup().catch((error) => say(`  clean-up failed: ${error.message}`));
      process.exit(130);
    });
  }
}
