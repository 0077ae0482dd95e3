package dev.secdrive.kit.audio;

import java.io.IOException;

/** A WAV file that is not one secdrive reads: the message names the file and what it found. */
public final class WavException extends IOException {

  private static final long serialVersionUID = 1L;

  public WavException(String message) {
    super(message);
  }
}
