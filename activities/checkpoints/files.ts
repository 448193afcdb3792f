/** The store's atomic writes and JSON reads: the shared ones in activities/infra/atomicFile. */
export { readJson, writeFileAtomic, writeJsonAtomic } from '../infra/atomicFile';
