package dev.secdrive.protocol.security;

/**
 * F0h CHECK INSTALL parameter list (PROTOCOL.md "Checking a target before the site bills"): the
 * title a central site is about to license on the loaded medium, and that site's certificate. An
 * OUT operation because SECURITY PROTOCOL IN carries no parameter list (SPC-4 6.30); it writes
 * nothing.
 */
public record CheckInstall(String titleId, byte[] centerCertificate) {

  public CheckInstall {
    Fields.checkId("title ID", titleId, 64);
    centerCertificate = Fields.checkMax("center certificate", centerCertificate, 0xFFFF).clone();
  }

  @Override
  public byte[] centerCertificate() {
    return centerCertificate.clone();
  }

  /** Where the central site's certificate starts in the list. */
  public int centerCertificateOffset() {
    return 1 + titleId.length() + 2;
  }

  public byte[] encode() {
    return new Fields.Writer().str8(titleId).bytes16(centerCertificate).toByteArray();
  }

  public static CheckInstall decode(byte[] in) throws ParameterException {
    Fields.Reader r = new Fields.Reader(in, "CHECK INSTALL parameter list");
    int at = r.position();
    String title = r.id("title ID");
    if (title.length() > 64) {
      throw new ParameterException(
          ParameterException.Kind.INVALID_VALUE, "title ID longer than 64 characters", at);
    }
    byte[] center = r.bytes16("center certificate");
    r.end();
    return new CheckInstall(title, center);
  }
}
