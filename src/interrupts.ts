/**
 * Work that a second Ctrl-C must not cut short: while a changed password is being put back, the
 * "exit at once" of a second interrupt waits until it is released (only SIGKILL can stop it).
 */
let held = 0;

/** Hold interrupts; call the returned function (once) to release them. */
export function holdInterrupts(): () => void {
  held += 1;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    held -= 1;
  };
}

export function interruptsHeld(): boolean {
  return held > 0;
}
