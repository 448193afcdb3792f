/**
 * `ratchet/judge` — the pure regression judge: per-metric policies, the
 * Mann–Whitney U test with a minimum effect, scores. No I/O, no Temporal;
 * safe in workflow code and in plain scripts.
 */
export * from '../domain/judge';
