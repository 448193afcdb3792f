/** The checkpoint store's git: the one wrapper in activities/infra/git (scrubbed environment, argument arrays). */
export {
  git,
  gitList,
  gitStream,
  gitText,
  GitError,
  scrubbedEnv,
  type GitOptions,
  type GitResult,
} from '../infra/git';
