/** True while process `pid` exists, ours or another user's (a lock's owner is checked this way). */
function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it is someone else's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the pid in a lock file is a live holder other than `self`, the process asking for the
 * lock. Its own pid in a lock it has not taken yet was left by an earlier run that got the same
 * pid: in a container every run is pid 1, so a run killed with SIGKILL would otherwise hold the
 * lock forever.
 */
export function isOtherLiveHolder(owner: number, self: number = process.pid): boolean {
  return owner !== self && isProcessAlive(owner);
}
