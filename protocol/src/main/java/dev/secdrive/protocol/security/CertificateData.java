package dev.secdrive.protocol.security;

/**
 * Protocol 00h, 0001h: certificate data (SPC-4 7.7.1.4): two reserved bytes, a two-byte length,
 * then the drive's {@link Certificate}.
 */
public record CertificateData(Certificate certificate) {

  /** Where the certificate starts: after the reserved bytes and its length. */
  public static final int CERTIFICATE_OFFSET = 4;

  public CertificateData {
    if (certificate == null) {
      throw new NullPointerException("certificate");
    }
  }

  public byte[] encode() {
    return new Fields.Writer().u16(0).bytes16(certificate.encode()).toByteArray();
  }

  public static CertificateData decode(byte[] in) throws ParameterException {
    Fields.Reader r = new Fields.Reader(in, "certificate data");
    r.u16("reserved bytes");
    byte[] certificate = r.bytes16("certificate");
    r.end();
    try {
      return new CertificateData(Certificate.decode(certificate));
    } catch (ParameterException e) {
      throw e.within(CERTIFICATE_OFFSET);
    }
  }
}
