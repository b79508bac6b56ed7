// Inventory and pattern cases where stackplay does not answer as ansible-core 2.14, each with why (README, "Differences from Ansible").
// The differential test prints each entry, and an entry whose case now agrees fails the test (so it gets removed).

export const EXPECTED_DIFFERENCES: Record<string, string> = {};
