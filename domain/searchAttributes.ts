/**
 * Custom search attributes ratchet sets on its runs, so the Web UI and
 * `temporal workflow list --query` can filter by module, state and operation.
 */
export const SEARCH_ATTRIBUTES = {
  RatchetModuleId: 'Keyword',
  RatchetState: 'Keyword',
  RatchetOperation: 'Keyword',
} as const;

export type RatchetSearchAttribute = keyof typeof SEARCH_ATTRIBUTES;
