package dev.secdrive.kit.files;

import java.io.IOException;
import java.nio.file.Path;

/** A file holding a secret that others may read or write; its message says how to fix it. */
public final class LooseSecretFileException extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;

  public LooseSecretFileException(Path file) {
    super(file + " holds a secret but others may read or write it: chmod 600 " + file);
    this.file = file;
  }

  public Path file() {
    return file;
  }
}
