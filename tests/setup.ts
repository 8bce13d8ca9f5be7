// Test setup for vitest: a property test that fails, or runs long, reports within 20 s instead of
// shrinking for minutes (a run that long once kept CI's suite from finishing).
import fc from 'fast-check';

fc.configureGlobal({ interruptAfterTimeLimit: 20_000, markInterruptAsFailure: true });
