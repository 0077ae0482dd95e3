package dev.secdrive.host.transport;

import dev.secdrive.protocol.frame.StatusFrame;
import io.netty.buffer.ByteBuf;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** Carries command frames to a device and brings back their status frames. */
public interface Transport extends AutoCloseable {

  /**
   * Sends one command.
   *
   * @param lun the logical unit
   * @param cdb the CDB bytes
   * @param expectedDataIn data-in bytes the host accepts (0 for a data-out command)
   * @param dataOut data-out bytes, or null; the transport takes ownership
   * @param description the command for error messages, e.g. {@code READ(10) lba=0 blocks=1}
   * @param timeout how long to wait for the status
   * @return completes with the status frame, which the caller must release; or exceptionally with
   *     {@link dev.secdrive.host.api.TransportException} or {@link
   *     dev.secdrive.host.api.CommandTimeoutException}
   */
  CompletableFuture<StatusFrame> submit(
      int lun,
      byte[] cdb,
      long expectedDataIn,
      ByteBuf dataOut,
      String description,
      Duration timeout);

  /** The device this transport talks to, e.g. {@code tcp://127.0.0.1:7140}. */
  String target();

  boolean isOpen();

  /**
   * Whether the calling thread is one this transport completes results on. Blocking there for
   * another result waits for the thread itself, so the {@code Drive} refuses it.
   */
  boolean isIoThread();

  @Override
  void close();
}
