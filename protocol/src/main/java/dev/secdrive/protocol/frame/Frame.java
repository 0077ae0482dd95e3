package dev.secdrive.protocol.frame;

/** A frame on the wire: see {@code protocol/PROTOCOL.md}. */
public sealed interface Frame permits CommandFrame, StatusFrame, ProtocolErrorFrame {

  /** Frame format version this implementation speaks. */
  int VERSION = 1;

  /** Length of the fixed header of command and status frames. */
  int HEADER_LENGTH = 20;

  /** 'SDCW': secdrive command wrapper. */
  int COMMAND_MAGIC = 0x5344_4357;

  /** 'SDSW': secdrive status wrapper. */
  int STATUS_MAGIC = 0x5344_5357;

  /** 'SDER': protocol error, sent by a device just before it closes the connection. */
  int ERROR_MAGIC = 0x5344_4552;

  /** Largest CDB a command frame carries (SPC-4 allows up to 260, secdrive's commands need 16). */
  int MAXIMUM_CDB_LENGTH = 16;

  /** Largest sense data a status frame carries (SPC-4 4.5.1: 252 bytes). */
  int MAXIMUM_SENSE_LENGTH = 252;

  /** Default largest data phase in either direction: 8 MiB. */
  int DEFAULT_MAXIMUM_DATA_LENGTH = 8 << 20;

  /** Largest frame body for a given data limit: header, the longer of CDB or sense, data. */
  static int maximumFrameLength(int maximumDataLength) {
    return HEADER_LENGTH + MAXIMUM_SENSE_LENGTH + maximumDataLength;
  }
}
