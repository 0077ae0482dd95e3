package dev.secdrive.protocol.security;

import java.util.Optional;

/** The operations of protocol F0h, carried in SECURITY PROTOCOL SPECIFIC. */
public enum Operation {
  CHALLENGE(0x0001, true, "CHALLENGE"),
  LICENSE_STATUS(0x0002, true, "LICENSE STATUS"),
  BACKUP_DATA(0x0003, true, "BACKUP DATA"),
  CLIENT_STATUS(0x0004, true, "CLIENT STATUS"),
  REGISTRATION_PROOF(0x0005, true, "REGISTRATION PROOF"),
  TRACK_RECORD(0x0006, true, "TRACK RECORD"),
  PROVISION(0x0101, false, "PROVISION"),
  OPEN_PLAYBACK(0x0102, false, "OPEN PLAYBACK"),
  CLOSE_PLAYBACK(0x0103, false, "CLOSE PLAYBACK"),
  BACKUP(0x0104, false, "BACKUP"),
  RESTORE(0x0105, false, "RESTORE"),
  RESEAL(0x0106, false, "RESEAL"),
  INSTALL_CONVERSION(0x0107, false, "INSTALL CONVERSION"),
  CONVERT_WRITE(0x0108, false, "CONVERT WRITE"),
  INSTALL_COPY(0x0109, false, "INSTALL COPY"),
  CHECK_INSTALL(0x010A, false, "CHECK INSTALL"),
  REGISTER_CLIENT(0x0201, false, "REGISTER CLIENT"),
  INSTALL_LICENSE(0x0202, false, "INSTALL LICENSE"),
  STORE_CERTIFICATE(0x0203, false, "STORE CERTIFICATE"),
  MOVE_OUT(0x0204, false, "MOVE OUT"),
  MOVE_IN(0x0205, false, "MOVE IN"),
  OPEN_CONTENT(0x0206, false, "OPEN CONTENT"),
  PROVE_REGISTRATION(0x0207, false, "PROVE REGISTRATION"),
  REGISTER_TRACK(0x0301, false, "REGISTER TRACK"),
  VERIFY_TRACK(0x0302, false, "VERIFY TRACK");

  private final int code;
  private final boolean in;
  private final String text;

  Operation(int code, boolean in, String text) {
    this.code = code;
    this.in = in;
    this.text = text;
  }

  public int code() {
    return code;
  }

  /** Whether it is a SECURITY PROTOCOL IN operation (else OUT). */
  public boolean in() {
    return in;
  }

  public String text() {
    return text;
  }

  /**
   * Whether the operation acts on the drive alone (seed 002: the client state), so that it needs no
   * medium: CLIENT STATUS, REGISTER CLIENT, INSTALL LICENSE, STORE CERTIFICATE, and the drive's
   * registration proof (PROVE REGISTRATION, REGISTRATION PROOF).
   */
  public boolean driveOnly() {
    return this == CLIENT_STATUS
        || this == REGISTRATION_PROOF
        || this == PROVE_REGISTRATION
        || this == REGISTER_CLIENT
        || this == INSTALL_LICENSE
        || this == STORE_CERTIFICATE;
  }

  /**
   * Whether the operation works on a content package in the user area (MOVE OUT, MOVE IN, OPEN
   * CONTENT): it needs a ready medium but no secure area.
   */
  public boolean userAreaOnly() {
    return this == MOVE_OUT || this == MOVE_IN || this == OPEN_CONTENT;
  }

  /**
   * Whether the operation works on a pressed CD-DA medium (seed 004's verification table: REGISTER
   * TRACK, TRACK RECORD, VERIFY TRACK): it needs a ready medium but no secure area, and the medium
   * may be pressed.
   */
  public boolean audioMedium() {
    return this == REGISTER_TRACK || this == VERIFY_TRACK || this == TRACK_RECORD;
  }

  /** The operation with this code in this direction. */
  public static Optional<Operation> find(int code, boolean in) {
    for (Operation op : values()) {
      if (op.code == code && op.in == in) {
        return Optional.of(op);
      }
    }
    return Optional.empty();
  }
}
