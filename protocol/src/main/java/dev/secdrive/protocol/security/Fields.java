package dev.secdrive.protocol.security;

import dev.secdrive.protocol.security.ParameterException.Kind;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Readers and writers for the field types of PROTOCOL.md "Secure layer": big-endian integers, and
 * {@code str8} / {@code bytes16} / {@code bytes32} (a length, then that many bytes).
 */
public final class Fields {

  private Fields() {}

  /** IDs: 1..255 printable ASCII characters without spaces. */
  public static String checkId(String field, String value, int maxLength) {
    if (value == null || value.isEmpty() || value.length() > maxLength) {
      throw new IllegalArgumentException(field + " must be 1.." + maxLength + " characters");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c <= 0x20 || c >= 0x7F) {
        throw new IllegalArgumentException(
            field + " '" + value + "' holds a character that is not printable ASCII");
      }
    }
    return value;
  }

  public static byte[] checkLength(String field, byte[] value, int length) {
    if (value == null || value.length != length) {
      throw new IllegalArgumentException(
          field + " must be " + length + " bytes, got " + (value == null ? 0 : value.length));
    }
    return value;
  }

  public static byte[] checkMax(String field, byte[] value, long max) {
    if (value == null || value.length > max) {
      throw new IllegalArgumentException(field + " longer than " + max + " bytes");
    }
    return value;
  }

  /** Appends fields in order. */
  public static final class Writer {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public Writer u8(int v) {
      out.write(v);
      return this;
    }

    public Writer u16(int v) {
      out.write(v >>> 8);
      out.write(v);
      return this;
    }

    public Writer u32(long v) {
      return u16((int) (v >>> 16) & 0xFFFF).u16((int) v & 0xFFFF);
    }

    public Writer u64(long v) {
      return u32(v >>> 32).u32(v & 0xFFFF_FFFFL);
    }

    public Writer raw(byte[] bytes) {
      out.writeBytes(bytes);
      return this;
    }

    public Writer str8(String s) {
      byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
      return u8(bytes.length).raw(bytes);
    }

    public Writer bytes16(byte[] bytes) {
      return u16(bytes.length).raw(bytes);
    }

    public Writer bytes32(byte[] bytes) {
      return u32(bytes.length).raw(bytes);
    }

    public int size() {
      return out.size();
    }

    public byte[] toByteArray() {
      return out.toByteArray();
    }
  }

  /** Reads fields in order; every failure names the field and its offset. */
  public static final class Reader {
    private final byte[] in;
    private final String what;
    private int position;

    public Reader(byte[] in, String what) {
      this.in = in;
      this.what = what;
    }

    public int position() {
      return position;
    }

    public int remaining() {
      return in.length - position;
    }

    private void need(String field, long n) throws ParameterException {
      if (n > in.length - position) {
        throw new ParameterException(
            Kind.TRUNCATED,
            what + " ends inside " + field + " at byte " + position + " (" + in.length + " bytes)",
            position);
      }
    }

    public int u8(String field) throws ParameterException {
      need(field, 1);
      return in[position++] & 0xFF;
    }

    public int u16(String field) throws ParameterException {
      need(field, 2);
      int v = (in[position] & 0xFF) << 8 | (in[position + 1] & 0xFF);
      position += 2;
      return v;
    }

    public long u32(String field) throws ParameterException {
      need(field, 4);
      long v = (long) u16(field) << 16;
      return v | u16(field);
    }

    public long u64(String field) throws ParameterException {
      need(field, 8);
      long v = u32(field) << 32;
      return v | u32(field);
    }

    public byte[] raw(String field, int n) throws ParameterException {
      need(field, n);
      byte[] out = Arrays.copyOfRange(in, position, position + n);
      position += n;
      return out;
    }

    public void magic(String magic) throws ParameterException {
      int at = position;
      byte[] got = raw("magic", magic.length());
      if (!Arrays.equals(got, magic.getBytes(StandardCharsets.US_ASCII))) {
        throw new ParameterException(Kind.MAGIC, what + " does not start with '" + magic + "'", at);
      }
    }

    public void version(int expected) throws ParameterException {
      int at = position;
      int version = u8("format version");
      if (version != expected) {
        throw new ParameterException(
            Kind.FORMAT_VERSION,
            what + " has format version " + version + "; this secdrive reads " + expected,
            at);
      }
    }

    /** An ID: 1..255 printable ASCII characters. */
    public String id(String field) throws ParameterException {
      return id(field, 255);
    }

    /** An ID: 1..{@code maxLength} printable ASCII characters. */
    public String id(String field, int maxLength) throws ParameterException {
      int at = position;
      int n = u8(field + " length");
      byte[] bytes = raw(field, n);
      String s = new String(bytes, StandardCharsets.US_ASCII);
      try {
        checkId(field, s, maxLength);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(Kind.INVALID_VALUE, what + ": " + e.getMessage(), at);
      }
      return s;
    }

    /** A UTF-8 name as {@link #name}, or the empty string for "none". */
    public String optionalName(String field) throws ParameterException {
      if (position < in.length && (in[position] & 0xFF) == 0) {
        position++;
        return "";
      }
      return name(field);
    }

    /** A UTF-8 name of 1..255 bytes, not blank; malformed UTF-8 is refused, never replaced. */
    public String name(String field) throws ParameterException {
      int at = position;
      int n = u8(field + " length");
      byte[] bytes = raw(field, n);
      String name;
      try {
        name =
            StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString();
      } catch (CharacterCodingException e) {
        throw new ParameterException(
            Kind.INVALID_VALUE, what + ": " + field + " is not UTF-8", at + 1);
      }
      if (name.isBlank()) {
        throw new ParameterException(Kind.INVALID_VALUE, what + ": " + field + " is blank", at);
      }
      return name;
    }

    public byte[] bytes16(String field) throws ParameterException {
      return raw(field, u16(field + " length"));
    }

    public byte[] bytes32(String field, long max) throws ParameterException {
      int at = position;
      long n = u32(field + " length");
      if (n > max) {
        throw new ParameterException(
            Kind.LENGTH, what + ": " + field + " longer than " + max + " bytes", at);
      }
      return raw(field, (int) n);
    }

    public void end() throws ParameterException {
      if (position != in.length) {
        throw new ParameterException(
            Kind.TRAILING_BYTES,
            what + " has " + (in.length - position) + " bytes after its last field",
            position);
      }
    }
  }
}
