package dev.secdrive.protocol.cdb;

/**
 * A command descriptor block. Records list their fields in the order the standard lays them out;
 * {@link #encode()} writes the bytes and each record's static {@code decode} reads them.
 */
public sealed interface Cdb
    permits BlockCommand,
        TestUnitReady,
        RequestSense,
        Inquiry,
        Reserve6,
        Release6,
        PersistentReserveIn,
        PersistentReserveOut,
        ModeSense6,
        ModeSelect,
        SendDiagnostic,
        StartStopUnit,
        PreventAllowMediumRemoval,
        ReadCapacity10,
        GetEventStatusNotification,
        ReadCapacity16,
        GetLbaStatus,
        ReadDefectData10,
        ReadDefectData12,
        ReportLuns,
        ReportSupportedOperationCodes,
        ReadMediaSerialNumber,
        SecurityProtocolIn,
        SecurityProtocolOut,
        ReadSubChannel,
        ReadTocPmaAtip,
        GetConfiguration,
        ModeSense10,
        ReadCd,
        ReadCdMsf {

  /** NACA bit of the CONTROL byte (SAM-5 5.2); secdrive does not support ACA. */
  int CONTROL_NACA = 0x04;

  Opcode opcode();

  /** The CONTROL byte, the last byte of every CDB. */
  int control();

  byte[] encode();

  /** A short description for messages, e.g. {@code READ(10) lba=0 blocks=8}. */
  default String describe() {
    return opcode().text();
  }
}
