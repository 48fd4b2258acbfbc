/* My safety plan (appended after service-worker.js).
 * /safety-plan itself is kept for offline use as an anonymous visitor sees it (the offline pack):
 * its script reads the plan this device keeps, encrypted, in IndexedDB. A signed-in person's page
 * is `no-store`, so never kept; with no signal they get the kept page, which reads their plan.
 * Its settings and a worker's shared view are personal: never kept, the kept plan page instead.
 */
NEVER_CACHED.push("/safety-plan/settings", "/safety-plan/shared");
OFFLINE_FALLBACKS.push(["/safety-plan/", "/safety-plan"]);
