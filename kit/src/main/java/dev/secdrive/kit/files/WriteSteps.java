package dev.secdrive.kit.files;

import java.util.List;

/**
 * Named points inside an atomic write, so that fault injection can cut the power between any two of
 * them and a test can prove that each leaves the old or the new content.
 */
@FunctionalInterface
public interface WriteSteps {

  /** No hooks. */
  WriteSteps NONE = step -> {};

  /** The temporary file holds the new content (not yet durable). */
  String TEMP_WRITTEN = "temp-written";

  /** The temporary file is fsynced. */
  String TEMP_SYNCED = "temp-synced";

  /** The temporary file has been renamed over the target. */
  String RENAMED = "renamed";

  /** The directory holding the target is fsynced, so the rename is durable. */
  String DIRECTORY_SYNCED = "directory-synced";

  /** The steps of {@link AtomicFiles#replace(java.nio.file.Path, byte[], WriteSteps)}, in order. */
  List<String> REPLACE_STEPS = List.of(TEMP_WRITTEN, TEMP_SYNCED, RENAMED, DIRECTORY_SYNCED);

  /**
   * Called when {@code step} has been reached. A {@link RuntimeException} thrown here stops the
   * write right there, as a pulled plug would: not even the temporary file is removed.
   */
  void reached(String step);

  /** These steps with {@code prefix} before every name. */
  default WriteSteps prefixed(String prefix) {
    return step -> reached(prefix + step);
  }
}
