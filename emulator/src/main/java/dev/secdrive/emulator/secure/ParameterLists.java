package dev.secdrive.emulator.secure;

import dev.secdrive.emulator.firmware.CheckCondition;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.ParameterException;
import dev.secdrive.protocol.security.Reason;
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.FieldPointer;
import dev.secdrive.protocol.sense.SenseData;
import dev.secdrive.protocol.sense.SenseKey;

/**
 * How the flows answer a parameter list that does not parse (PROTOCOL.md "Refusals"): INVALID FIELD
 * IN PARAMETER LIST (05/26/00) with the field pointer on the byte the decoder names, except that a
 * structure of another format version is refused with reason 0Bh, so that a host learns that newer
 * software may read it.
 */
final class ParameterLists {

  private ParameterLists() {}

  /** A parameter-list decoder. */
  @FunctionalInterface
  interface Decoder<T> {
    T decode() throws ParameterException;
  }

  /** Decodes a whole parameter list: errors point into the list. */
  static <T> T decode(Decoder<T> decoder) throws CheckCondition {
    try {
      return decoder.decode();
    } catch (ParameterException e) {
      throw invalidParameter(e.offset());
    }
  }

  /**
   * Decodes a structure that starts at byte {@code at} of the list (a grant, a certificate), so
   * that its errors point at the byte the host sent.
   */
  static <T> T decodeAt(int at, Decoder<T> decoder) throws CheckCondition {
    try {
      return decoder.decode();
    } catch (ParameterException e) {
      if (e.kind() == ParameterException.Kind.FORMAT_VERSION) {
        throw CheckCondition.refused(Reason.FORMAT_VERSION, e.getMessage());
      }
      throw invalidParameter(at + e.offset());
    } catch (IllegalArgumentException e) {
      // A field the decoder let through but the record refuses: still the host's bad list.
      throw invalidParameter(at);
    }
  }

  /**
   * The certificate at byte {@code at} of the list, checked to be signed by the licensing authority
   * in {@code role}: a certificate of another role (a drive posing as a licensor, say) is refused
   * like a forged one (reason 01h).
   */
  static Certificate certified(
      DriveKeys keys, byte[] encoded, int at, Certificate.Role role, String what)
      throws CheckCondition {
    Certificate certificate = decodeAt(at, () -> Certificate.decode(encoded));
    if (!Authority.verify(keys.authorityPublicKey(), certificate, role)) {
      throw CheckCondition.refused(
          Reason.CERTIFICATE, what + " certificate of " + certificate.subject());
    }
    return certificate;
  }

  static CheckCondition invalidParameter(int offset) {
    return new CheckCondition(
        SenseData.of(
            SenseKey.ILLEGAL_REQUEST,
            AdditionalSense.INVALID_FIELD_IN_PARAMETER_LIST,
            FieldPointer.parameter(Math.max(0, Math.min(offset, 0xFFFF)))));
  }
}
