package dev.secdrive.host.transport;

import io.netty.buffer.ByteBuf;
import java.time.Duration;

/**
 * A command of an {@link IscsiSession}: queued until the CmdSN window opens, then active until its
 * status; owns its data-out and the data-in gathered so far. Confined to the event loop once
 * submitted.
 */
final class IscsiTask {
  final ResponseHandler.Pending pending;
  final int lun;
  final byte[] cdb;
  final long expectedIn;
  final ByteBuf dataOut;
  final Duration timeout;
  int itt;
  int cmdSn;
  ByteBuf dataIn;
  long received;
  int nextDataSn;

  IscsiTask(
      String description, int lun, byte[] cdb, long expectedIn, ByteBuf dataOut, Duration timeout) {
    this.pending = new ResponseHandler.Pending(description);
    this.lun = lun;
    this.cdb = cdb;
    this.expectedIn = expectedIn;
    this.dataOut = dataOut;
    this.timeout = timeout;
  }

  String description() {
    return pending.description;
  }

  long writeLength() {
    return dataOut == null ? 0 : dataOut.readableBytes();
  }

  void release() {
    if (dataOut != null && dataOut.refCnt() > 0) {
      dataOut.release();
    }
    if (dataIn != null) {
      dataIn.release();
      dataIn = null;
    }
  }
}
