import { execFileSync } from "child_process";

/**
 * Runs one SQL statement on the server's database, for setting up what only time would bring
 * (such as a member who signed up 61 days ago).
 */
export function sql(statement: string) {
  const url = process.env.E2E_DATABASE_URL;
  if (!url) throw new Error("E2E_DATABASE_URL is not set");
  // The test command sets PSQL to the client of the PostgreSQL it runs; `psql` on the PATH otherwise.
  const psql = process.env.PSQL ?? "psql";
  execFileSync(psql, [url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", statement]);
}
