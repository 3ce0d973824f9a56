// Every analyzer, listed by hand: one file, one doc (docs/rules/<id>.md), one test each.
import type { Analyzer } from './types.js';
import { addRemoteUrl } from './add-remote-url.js';
import { aptNoRecommends } from './apt-no-recommends.js';
import { aptUpdateAlone } from './apt-update-alone.js';
import { changingArgEarly } from './changing-arg-early.js';
import { contextJunk } from './context-junk.js';
import { copyBeforeInstall } from './copy-before-install.js';
import { contextSecret } from './context-secret.js';
import { contextUnusedFiles } from './context-unused-files.js';
import { dockerignoreExcludesCopySource } from './dockerignore-excludes-copy-source.js';
import { emulatedPlatform } from './emulated-platform.js';
import { floatingBaseImage } from './floating-base-image.js';
import { gitCloneInRun } from './git-clone-in-run.js';
import { gitIgnoredInContext } from './git-ignored-in-context.js';
import { missingCacheMount } from './missing-cache-mount.js';
import { packageCacheLeft } from './package-cache-left.js';
import { remoteScript } from './remote-script.js';
import { secretInArgOrEnv } from './secret-in-arg-or-env.js';
import { serialStages } from './serial-stages.js';
import { toolchainInFinalImage } from './toolchain-in-final-image.js';

export const analyzers: Analyzer[] = [
  addRemoteUrl,
  aptNoRecommends,
  aptUpdateAlone,
  changingArgEarly,
  contextJunk,
  contextSecret,
  contextUnusedFiles,
  copyBeforeInstall,
  dockerignoreExcludesCopySource,
  emulatedPlatform,
  floatingBaseImage,
  gitCloneInRun,
  gitIgnoredInContext,
  missingCacheMount,
  packageCacheLeft,
  remoteScript,
  secretInArgOrEnv,
  serialStages,
  toolchainInFinalImage,
];
