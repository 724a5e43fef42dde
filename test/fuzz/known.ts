// Fuzz cases known to fail today, each keyed by case name with its classification and the reason (who owns
// the fix). The suite stays green with these and fails on any other non-CLEAR result; it prints entries that
// have become CLEAR so this list only shrinks. Integrator: route each to its owner, then delete the line.
// First full run (07:40 UTC, issue 18): 733 cases, 111 entries. 08:57 UTC: 881 cases, 3 entries (shared checks at
// every op's and constructor's entry, src/args.ts); the path is the owner's file.
export const KNOWN: Record<string, string> = {
  // Added 09:15 UTC with `generic <fn> disposed` for the top-level functions. The random fills' messages
  // interpolate the argument (`got ${n}`), and a disposed tensor's toString throws: describeValue (src/args.ts).
  'generic bernoulliFill disposed': 'RAW (src/random.ts): Error: Tensor is disposed.',
  'generic normalFill disposed': 'RAW (src/random.ts): Error: Tensor is disposed.',
  'generic randintFill disposed': 'RAW (src/random.ts): Error: Tensor is disposed.',
  'generic randpermArray disposed': 'RAW (src/random.ts): Error: Tensor is disposed.',
  'generic uniformFill disposed': 'RAW (src/random.ts): Error: Tensor is disposed.',
  // gradOf('bad') is refused now; a disposed tensor still answers null (torch: a freed tensor has no .grad to read)
  'generic gradOf disposed': 'SILENT (src/autograd/requires-grad.ts): returned null',
  // Added 09:35 UTC with `generic <fn> unknown option` (fn(x, { noSuchOption: 1 })): one-parameter functions drop
  // the extra argument (torch: `detach() got an unexpected keyword argument`); checkNoExtraArgs in src/args.ts.
  'generic detach unknown option': 'SILENT (src/autograd/requires-grad.ts): returned a float32 tensor [2,3]',
  'generic gradOf unknown option': 'SILENT (src/autograd/requires-grad.ts): returned null',
  'generic requiresGrad_ unknown option': 'SILENT (src/autograd/requires-grad.ts): returned a float32 tensor [2,3]',
};
