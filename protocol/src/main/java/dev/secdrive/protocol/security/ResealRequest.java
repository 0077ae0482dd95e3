package dev.secdrive.protocol.security;

import dev.secdrive.protocol.security.ParameterException.Kind;

/**
 * F0h RESEAL parameter list (FIG. 15 S81-S82): the drive a blob is sealed to removes its layer and
 * seals the medium layer again to {@code recipientCertificate}, the drive that will restore it.
 */
public record ResealRequest(BlobSource source, long lba, byte[] blob, byte[] recipientCertificate) {

  public ResealRequest {
    BlobLocation.check(source, lba, blob);
    blob = blob.clone();
    recipientCertificate =
        Fields.checkMax("recipient certificate", recipientCertificate, 0xFFFF).clone();
    if (recipientCertificate.length == 0) {
      throw new IllegalArgumentException("RESEAL needs a recipient certificate");
    }
  }

  @Override
  public byte[] blob() {
    return blob.clone();
  }

  @Override
  public byte[] recipientCertificate() {
    return recipientCertificate.clone();
  }

  /**
   * Where the recipient certificate starts in the encoded list: after source, LBA, the bytes32
   * inline blob and the certificate's bytes16 length.
   */
  public int recipientCertificateOffset() {
    return 1 + 8 + 4 + blob.length + 2;
  }

  public byte[] encode() {
    return new Fields.Writer()
        .u8(source.code())
        .u64(lba)
        .bytes32(blob)
        .bytes16(recipientCertificate)
        .toByteArray();
  }

  public static ResealRequest decode(byte[] in) throws ParameterException {
    Fields.Reader r = new Fields.Reader(in, "RESEAL parameter list");
    BlobLocation location = BlobLocation.read(r);
    int at = r.position();
    byte[] certificate = r.bytes16("recipient certificate");
    if (certificate.length == 0) {
      throw new ParameterException(Kind.INVALID_VALUE, "RESEAL needs a recipient certificate", at);
    }
    r.end();
    return new ResealRequest(location.source(), location.lba(), location.blob(), certificate);
  }
}
