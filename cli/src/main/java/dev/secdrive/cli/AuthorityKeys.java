package dev.secdrive.cli;

/** The licensing authority's public key as a user types it ({@code secdrive authority init}). */
final class AuthorityKeys {

  private AuthorityKeys() {}

  /** {@code hex} as a 32-byte Ed25519 public key. */
  static byte[] parse(String option, String hex) {
    return HexKeys.parse32(
        option, hex, "the 32-byte public key that 'secdrive authority init' prints");
  }
}
