package dev.secdrive.emulator.media;

/**
 * Named points inside a crash-safe write ({@link dev.secdrive.kit.files.WriteSteps}), so that a
 * power loss can be injected between any two of them and a test can prove that every one of them
 * leaves the old or the new content. A hook stops a write by throwing {@link PowerLoss}.
 */
@FunctionalInterface
public interface WriteSteps extends dev.secdrive.kit.files.WriteSteps {

  /** No hooks. */
  WriteSteps NONE = step -> {};

  /** These steps with {@code prefix} before every name. */
  @Override
  default WriteSteps prefixed(String prefix) {
    return step -> reached(prefix + step);
  }
}
