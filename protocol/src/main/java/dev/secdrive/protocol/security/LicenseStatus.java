package dev.secdrive.protocol.security;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * F0h LICENSE STATUS data-in: the secure area's license version and, per license, its content ID,
 * the licensor that issued it and the plays left. Content keys are not part of it.
 */
public record LicenseStatus(long version, List<Entry> entries) {

  /** Plays left of a license without a limit. */
  public static final long UNLIMITED = 0xFFFF_FFFFL;

  /**
   * One license of the secure area.
   *
   * @param licensor the certificate subject of the licensor (or central site) that issued it; empty
   *     for a license recorded before drives kept it
   */
  public record Entry(String contentId, String licensor, long playsLeft) {
    public Entry {
      Fields.checkId("content ID", contentId, 64);
      if (licensor == null || licensor.getBytes(StandardCharsets.UTF_8).length > 255) {
        throw new IllegalArgumentException("licensor must be 0..255 bytes of UTF-8");
      }
      dev.secdrive.protocol.BigEndian.checkUnsigned("playsLeft", playsLeft, 32);
    }

    /** A license whose licensor is not recorded. */
    public Entry(String contentId, long playsLeft) {
      this(contentId, "", playsLeft);
    }

    public boolean unlimited() {
      return playsLeft == UNLIMITED;
    }
  }

  public LicenseStatus {
    dev.secdrive.protocol.BigEndian.checkUnsigned("version", version, 32);
    entries = List.copyOf(entries);
    if (entries.size() > 0xFFFF) {
      throw new IllegalArgumentException("more than 65535 licenses");
    }
  }

  public byte[] encode() {
    Fields.Writer out = new Fields.Writer().u32(version).u16(entries.size());
    for (Entry e : entries) {
      out.str8(e.contentId()).str8(e.licensor()).u32(e.playsLeft());
    }
    return AvailableLength.wrap(out.toByteArray());
  }

  public static LicenseStatus decode(byte[] in) throws ParameterException {
    Fields.Reader r =
        new Fields.Reader(AvailableLength.unwrap(in, "license status"), "license status");
    long version = r.u32("license version");
    int count = r.u16("record count");
    List<Entry> entries = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String contentId = r.id("content ID");
      String licensor = r.optionalName("licensor");
      entries.add(new Entry(contentId, licensor, r.u32("plays left")));
    }
    r.end();
    return new LicenseStatus(version, entries);
  }
}
