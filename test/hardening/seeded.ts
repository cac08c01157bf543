import fc from 'fast-check';

/**
 * Property tests explore the same inputs on every run, so CI is repeatable; set FC_SEED to explore
 * others (a failure prints the seed and path that reproduce it).
 */
fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261125) });
