// Cases where stackplay does not (yet) behave as ansible-playbook, each with why; the lead removes entries as features land.
// Every entry is printed by the differential test, and an entry whose case now agrees fails the test.
export const EXPECTED_DIFFERENCES: Record<string, string> = {};
