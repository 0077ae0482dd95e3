package dev.secdrive.protocol.security;

/**
 * A 32-byte key sealed to an X25519 public key (PROTOCOL.md "Scheme 1": Kd to the user key KU): the
 * sender's ephemeral public key and the AES-256-GCM ciphertext with its tag.
 */
public record SealedKey(byte[] ephemeralPublicKey, byte[] sealed) {

  public SealedKey {
    ephemeralPublicKey =
        Fields.checkLength("ephemeral public key", ephemeralPublicKey, Certificate.KEY_LENGTH)
            .clone();
    sealed = Fields.checkMax("sealed key", sealed, 0xFFFF).clone();
  }

  @Override
  public byte[] ephemeralPublicKey() {
    return ephemeralPublicKey.clone();
  }

  @Override
  public byte[] sealed() {
    return sealed.clone();
  }

  /** The AAD: str8 title ID ‖ str8 medium ID. */
  public static byte[] aad(String titleId, String mediumId) {
    return new Fields.Writer().str8(titleId).str8(mediumId).toByteArray();
  }

  public byte[] encode() {
    return new Fields.Writer().raw(ephemeralPublicKey).bytes16(sealed).toByteArray();
  }

  public static SealedKey decode(byte[] in) throws ParameterException {
    Fields.Reader r = new Fields.Reader(in, "sealed key");
    byte[] ephemeral = r.raw("ephemeral public key", Certificate.KEY_LENGTH);
    byte[] sealed = r.bytes16("sealed key");
    r.end();
    return new SealedKey(ephemeral, sealed);
  }
}
