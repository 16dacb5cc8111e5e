/** The agent's own version, reported in the facts (the enrollment decision compares it). */
export const AGENT_VERSION = '0.1.0';
