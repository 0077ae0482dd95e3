package dev.secdrive.kit.serial;

import java.io.IOException;

/**
 * A byte line: a serial port, a pseudo-terminal, or anything else that carries bytes both ways.
 * Reads are polled ({@link #available()} first) rather than blocking, because closing a serial port
 * does not wake a thread blocked reading it.
 */
public interface Line {

  /** Bytes that can be read without blocking. */
  int available() throws IOException;

  /** Reads up to {@code length} bytes that {@link #available()} said are there. */
  int read(byte[] buffer, int offset, int length) throws IOException;

  /** Writes all of {@code length} bytes. */
  void write(byte[] buffer, int offset, int length) throws IOException;

  void close() throws IOException;
}
