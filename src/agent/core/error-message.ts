// The one sentence the agent logs or reports for a thrown value, whatever was thrown.

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
