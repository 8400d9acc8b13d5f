/**
 * Polls `check` every `intervalMs` until it holds or `deadlineMs` have passed; says whether it held. The caller
 * decides what a miss means: a thrown error naming what it waited for, or an assertion on what is there by then.
 */
export async function pollUntil(
  check: () => boolean | Promise<boolean>,
  deadlineMs = 5_000,
  intervalMs = 50,
): Promise<boolean> {
  const deadline = Date.now() + deadlineMs;
  while (!(await check())) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return true;
}
