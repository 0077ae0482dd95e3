package dev.secdrive.protocol.security;

import dev.secdrive.protocol.security.ParameterException.Kind;

/**
 * F0h BACKUP parameter list (FIG. 7 S31-S33, FIG. 11 S51-S54, FIG. 14 S71-S74).
 *
 * @param lba where the drive writes the blob when {@code target} is the user area; else 0
 * @param recipientCertificate the second drive's encoded certificate for {@link Binding#SEALED};
 *     else empty
 */
public record BackupRequest(Binding binding, Target target, long lba, byte[] recipientCertificate) {

  /**
   * Where the recipient certificate starts in the list: after binding, target, LBA and the
   * certificate's bytes16 length.
   */
  public static final int RECIPIENT_CERTIFICATE_OFFSET = 1 + 1 + 8 + 2;

  /** Where the blob goes. */
  public enum Target {
    /** Kept for this I_T nexus, read with BACKUP DATA. */
    HOST(0),
    /** Written by the drive into the user area at {@code lba}. */
    USER_AREA(1);

    private final int code;

    Target(int code) {
      this.code = code;
    }

    public int code() {
      return code;
    }
  }

  public BackupRequest {
    if (binding == null || target == null) {
      throw new NullPointerException("binding and target are required");
    }
    if (lba < 0 || (target == Target.HOST && lba != 0)) {
      throw new IllegalArgumentException("LBA " + lba + " does not fit target " + target);
    }
    recipientCertificate =
        Fields.checkMax("recipient certificate", recipientCertificate, 0xFFFF).clone();
    if ((binding == Binding.SEALED) != (recipientCertificate.length > 0)) {
      throw new IllegalArgumentException(
          "a recipient certificate goes with binding SEALED and only with it");
    }
  }

  public static BackupRequest toHost(Binding binding) {
    return new BackupRequest(binding, Target.HOST, 0, new byte[0]);
  }

  public static BackupRequest toUserArea(Binding binding, long lba) {
    return new BackupRequest(binding, Target.USER_AREA, lba, new byte[0]);
  }

  public static BackupRequest sealedToHost(Certificate recipient) {
    return new BackupRequest(Binding.SEALED, Target.HOST, 0, recipient.encode());
  }

  @Override
  public byte[] recipientCertificate() {
    return recipientCertificate.clone();
  }

  public byte[] encode() {
    return new Fields.Writer()
        .u8(binding.code())
        .u8(target.code)
        .u64(lba)
        .bytes16(recipientCertificate)
        .toByteArray();
  }

  public static BackupRequest decode(byte[] in) throws ParameterException {
    Fields.Reader r = new Fields.Reader(in, "BACKUP parameter list");
    Binding binding = Binding.read(r);
    int targetAt = r.position();
    int code = r.u8("target");
    Target target = null;
    for (Target t : Target.values()) {
      if (t.code == code) {
        target = t;
      }
    }
    if (target == null) {
      throw new ParameterException(Kind.INVALID_VALUE, "unknown backup target " + code, targetAt);
    }
    int lbaAt = r.position();
    long lba = r.u64("LBA");
    if (target == Target.HOST && lba != 0) {
      throw new ParameterException(
          Kind.INVALID_VALUE, "LBA must be 0 for a backup to the host", lbaAt);
    }
    if (lba < 0) {
      // u64 on the wire: above 2^63 - 1 no medium has such a block.
      throw new ParameterException(
          Kind.INVALID_VALUE, "LBA " + Long.toUnsignedString(lba) + " is beyond any medium", lbaAt);
    }
    int certAt = r.position();
    byte[] certificate = r.bytes16("recipient certificate");
    if ((binding == Binding.SEALED) != (certificate.length > 0)) {
      throw new ParameterException(
          Kind.INVALID_VALUE,
          binding == Binding.SEALED
              ? "binding SEALED needs a recipient certificate"
              : "a recipient certificate goes with binding SEALED only",
          certAt);
    }
    r.end();
    return new BackupRequest(binding, target, lba, certificate);
  }
}
