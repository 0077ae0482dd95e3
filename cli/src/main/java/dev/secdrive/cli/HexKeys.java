package dev.secdrive.cli;

/**
 * 32-byte public keys as a user types them on the command line: 64 hexadecimal digits, read by the
 * kit's {@link dev.secdrive.kit.crypto.HexKeys} and refused with the option's name.
 */
final class HexKeys {

  private HexKeys() {}

  /**
   * {@code hex} as a 32-byte key.
   *
   * @param what says what the key is, in the message of a refusal ("32 bytes", "the 32-byte public
   *     key that ... prints")
   * @throws CliException naming {@code option}, {@code what} and the value given if {@code hex} is
   *     not 64 hexadecimal digits
   */
  static byte[] parse32(String option, String hex, String what) {
    try {
      return dev.secdrive.kit.crypto.HexKeys.parse(option, hex, 32);
    } catch (IllegalArgumentException e) {
      throw new CliException(
          option + " must be 64 hexadecimal digits (" + what + "), got '" + hex + "'");
    }
  }
}
