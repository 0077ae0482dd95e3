package dev.secdrive.protocol.sense;

import java.util.Optional;

/**
 * Fixed-format sense data (SPC-4 4.5.3, response code 70h), as secdrive returns it with every CHECK
 * CONDITION.
 *
 * <pre>
 *  byte 0      VALID | response code 70h
 *  byte 2      sense key (bits 3-0)
 *  bytes 3-6   INFORMATION (the failing LBA when VALID is set)
 *  byte 7      additional sense length = 10
 *  bytes 8-11  COMMAND-SPECIFIC INFORMATION (secure layer: the refusal's reason code)
 *  byte 12/13  ASC / ASCQ
 *  bytes 15-17 sense-key specific: SKSV | C/D | BPV | bit pointer, field pointer
 * </pre>
 *
 * @param valid whether {@code information} holds a value (the VALID bit)
 * @param key the sense key
 * @param asc additional sense code, 0..255
 * @param ascq additional sense code qualifier, 0..255
 * @param information the INFORMATION field, 0..2^32-1; meaningful when {@code valid}
 * @param fieldPointer the sense-key specific field pointer, or {@code null} when SKSV is zero
 * @param commandSpecific the COMMAND-SPECIFIC INFORMATION field, 0..2^32-1
 */
public record SenseData(
    boolean valid,
    SenseKey key,
    int asc,
    int ascq,
    long information,
    FieldPointer fieldPointer,
    long commandSpecific) {

  /** Length of fixed-format sense data as secdrive sends it. */
  public static final int FIXED_LENGTH = 18;

  /** The shortest sense the decoder accepts: enough to hold ASC and ASCQ. */
  public static final int MINIMUM_LENGTH = 14;

  private static final int RESPONSE_CODE_CURRENT_FIXED = 0x70;
  private static final int RESPONSE_CODE_DEFERRED_FIXED = 0x71;
  private static final int RESPONSE_CODE_CURRENT_DESCRIPTOR = 0x72;
  private static final int RESPONSE_CODE_DEFERRED_DESCRIPTOR = 0x73;
  private static final int VALID_BIT = 0x80;
  private static final int SKSV_BIT = 0x80;
  private static final int CD_BIT = 0x40;
  private static final int BPV_BIT = 0x08;

  private static final int OFFSET_RESPONSE_CODE = 0;
  private static final int OFFSET_SENSE_KEY = 2;
  private static final int OFFSET_INFORMATION = 3;
  private static final int OFFSET_ADDITIONAL_LENGTH = 7;
  private static final int OFFSET_COMMAND_SPECIFIC = 8;
  private static final int OFFSET_ASC = 12;
  private static final int OFFSET_ASCQ = 13;
  private static final int OFFSET_SENSE_KEY_SPECIFIC = 15;
  private static final int OFFSET_FIELD_POINTER = 16;

  public SenseData {
    if (key == null) {
      throw new NullPointerException("key");
    }
    if (asc < 0 || asc > 0xFF || ascq < 0 || ascq > 0xFF) {
      throw new IllegalArgumentException("ASC/ASCQ out of range: " + asc + "/" + ascq);
    }
    if (information < 0 || information > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("INFORMATION out of range: " + information);
    }
    if (commandSpecific < 0 || commandSpecific > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException(
          "COMMAND-SPECIFIC INFORMATION out of range: " + commandSpecific);
    }
  }

  public SenseData(
      boolean valid, SenseKey key, int asc, int ascq, long information, FieldPointer pointer) {
    this(valid, key, asc, ascq, information, pointer, 0);
  }

  public static SenseData of(SenseKey key, AdditionalSense sense) {
    return new SenseData(false, key, sense.asc(), sense.ascq(), 0, null);
  }

  public static SenseData of(SenseKey key, AdditionalSense sense, FieldPointer pointer) {
    return new SenseData(false, key, sense.asc(), sense.ascq(), 0, pointer);
  }

  /** Returns a copy with VALID set and INFORMATION holding {@code lba} (SBC-3 4.18.1). */
  public SenseData withInformation(long lba) {
    // INFORMATION is four bytes in fixed format; an LBA that does not fit leaves VALID clear.
    if (lba < 0 || lba > 0xFFFF_FFFFL) {
      return this;
    }
    return new SenseData(true, key, asc, ascq, lba, fieldPointer, commandSpecific);
  }

  /** Returns a copy with COMMAND-SPECIFIC INFORMATION set to {@code value}. */
  public SenseData withCommandSpecific(long value) {
    return new SenseData(valid, key, asc, ascq, information, fieldPointer, value);
  }

  /** The ASC/ASCQ as a known entry, or empty if secdrive does not emulate this condition. */
  public Optional<AdditionalSense> additionalSense() {
    return AdditionalSense.find(asc, ascq);
  }

  /** Whether this sense reports {@code key} with {@code sense}. */
  public boolean is(SenseKey key, AdditionalSense sense) {
    return this.key == key && asc == sense.asc() && ascq == sense.ascq();
  }

  /** Reads like {@code NOT READY: MEDIUM NOT PRESENT (02/3A/00)}. */
  public String describe() {
    String text =
        additionalSense()
            .map(AdditionalSense::text)
            .orElse(String.format("ASC %02XH ASCQ %02XH", asc, ascq));
    StringBuilder out =
        new StringBuilder(key.text())
            .append(": ")
            .append(text)
            .append(String.format(" (%02X/%02X/%02X)", key.code(), asc, ascq));
    if (fieldPointer != null) {
      out.append(" at ").append(fieldPointer);
    }
    return out.toString();
  }

  /** Encodes as 18 bytes of fixed-format sense data. */
  public byte[] encode() {
    byte[] out = new byte[FIXED_LENGTH];
    out[OFFSET_RESPONSE_CODE] = (byte) (RESPONSE_CODE_CURRENT_FIXED | (valid ? VALID_BIT : 0));
    out[OFFSET_SENSE_KEY] = (byte) key.code();
    out[OFFSET_INFORMATION] = (byte) (information >>> 24);
    out[OFFSET_INFORMATION + 1] = (byte) (information >>> 16);
    out[OFFSET_INFORMATION + 2] = (byte) (information >>> 8);
    out[OFFSET_INFORMATION + 3] = (byte) information;
    out[OFFSET_ADDITIONAL_LENGTH] = (byte) (FIXED_LENGTH - 8);
    out[OFFSET_COMMAND_SPECIFIC] = (byte) (commandSpecific >>> 24);
    out[OFFSET_COMMAND_SPECIFIC + 1] = (byte) (commandSpecific >>> 16);
    out[OFFSET_COMMAND_SPECIFIC + 2] = (byte) (commandSpecific >>> 8);
    out[OFFSET_COMMAND_SPECIFIC + 3] = (byte) commandSpecific;
    out[OFFSET_ASC] = (byte) asc;
    out[OFFSET_ASCQ] = (byte) ascq;
    if (fieldPointer != null) {
      int flags = SKSV_BIT | (fieldPointer.inCdb() ? CD_BIT : 0);
      if (fieldPointer.bit() >= 0) {
        flags |= BPV_BIT | fieldPointer.bit();
      }
      out[OFFSET_SENSE_KEY_SPECIFIC] = (byte) flags;
      out[OFFSET_FIELD_POINTER] = (byte) (fieldPointer.byteOffset() >>> 8);
      out[OFFSET_FIELD_POINTER + 1] = (byte) fieldPointer.byteOffset();
    }
    return out;
  }

  /**
   * Decodes fixed-format sense (70h/71h); descriptor-format sense (72h/73h, SPC-4 4.5.2) is read
   * for its key, ASC and ASCQ only.
   *
   * @throws IllegalArgumentException if the bytes are not sense data
   */
  public static SenseData decode(byte[] in) {
    if (in.length < 4) {
      throw new IllegalArgumentException("sense data too short: " + in.length + " bytes");
    }
    int responseCode = in[OFFSET_RESPONSE_CODE] & 0x7F;
    switch (responseCode) {
      case RESPONSE_CODE_CURRENT_DESCRIPTOR, RESPONSE_CODE_DEFERRED_DESCRIPTOR -> {
        return new SenseData(
            false, SenseKey.fromCode(in[1] & 0x0F), in[2] & 0xFF, in[3] & 0xFF, 0, null);
      }
      case RESPONSE_CODE_CURRENT_FIXED, RESPONSE_CODE_DEFERRED_FIXED -> {
        if (in.length < MINIMUM_LENGTH) {
          throw new IllegalArgumentException(
              "fixed-format sense data too short: " + in.length + " bytes");
        }
        boolean valid = (in[OFFSET_RESPONSE_CODE] & VALID_BIT) != 0;
        long information =
            (in[OFFSET_INFORMATION] & 0xFFL) << 24
                | (in[OFFSET_INFORMATION + 1] & 0xFF) << 16
                | (in[OFFSET_INFORMATION + 2] & 0xFF) << 8
                | (in[OFFSET_INFORMATION + 3] & 0xFF);
        FieldPointer pointer = null;
        if (in.length >= FIXED_LENGTH && (in[OFFSET_SENSE_KEY_SPECIFIC] & SKSV_BIT) != 0) {
          int flags = in[OFFSET_SENSE_KEY_SPECIFIC];
          pointer =
              new FieldPointer(
                  (flags & CD_BIT) != 0,
                  (in[OFFSET_FIELD_POINTER] & 0xFF) << 8 | (in[OFFSET_FIELD_POINTER + 1] & 0xFF),
                  (flags & BPV_BIT) != 0 ? flags & 0x07 : -1);
        }
        long commandSpecific =
            (in[OFFSET_COMMAND_SPECIFIC] & 0xFFL) << 24
                | (in[OFFSET_COMMAND_SPECIFIC + 1] & 0xFF) << 16
                | (in[OFFSET_COMMAND_SPECIFIC + 2] & 0xFF) << 8
                | (in[OFFSET_COMMAND_SPECIFIC + 3] & 0xFF);
        return new SenseData(
            valid,
            SenseKey.fromCode(in[OFFSET_SENSE_KEY] & 0x0F),
            in[OFFSET_ASC] & 0xFF,
            in[OFFSET_ASCQ] & 0xFF,
            information,
            pointer,
            commandSpecific);
      }
      default ->
          throw new IllegalArgumentException(
              String.format("unknown sense response code 0x%02X", responseCode));
    }
  }
}
