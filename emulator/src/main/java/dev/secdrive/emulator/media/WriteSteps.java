package dev.secdrive.emulator.media;

/**
 * Named points inside a crash-safe write, so that a power loss can be injected between any two of
 * them and a test can prove that every one of them leaves the old or the new content.
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

  /** The sub-steps of {@link AtomicFiles#replace(java.nio.file.Path, byte[], WriteSteps)}. */
  java.util.List<String> REPLACE_STEPS =
      java.util.List.of(TEMP_WRITTEN, TEMP_SYNCED, RENAMED, DIRECTORY_SYNCED);

  /**
   * Called when {@code step} has been reached.
   *
   * @throws PowerLoss to stop right there, as a pulled plug would
   */
  void reached(String step);

  /** These steps with {@code prefix} before every name. */
  default WriteSteps prefixed(String prefix) {
    return step -> reached(prefix + step);
  }
}
