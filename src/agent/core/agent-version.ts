// The agent's version on its own, so `atwork-agent --version` loads nothing else (issue 10: start time).

/** Version this agent reports at enrollment and check-in; kept in step with package.json by the release process. */
export const AGENT_VERSION = '0.1.0';
