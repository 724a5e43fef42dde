// Fuzz cases known to fail today, each keyed by case name with its classification and the reason (who owns
// the fix). The suite stays green with these and fails on any other non-CLEAR result; it prints entries that
// have become CLEAR so this list only shrinks. Integrator: route each to its owner, then delete the line.
// First full run (07:40 UTC, issue 18): 733 cases, 111 entries. 08:57 UTC: 881 cases, 3 entries (shared checks at
// every op's and constructor's entry, src/args.ts); the path is the owner's file. 10:20 UTC: 1,397 cases, 0 entries.
export const KNOWN: Record<string, string> = {};
