package dev.secdrive.cli;

import dev.secdrive.emulator.media.MediumMetadata;
import dev.secdrive.protocol.data.StandardInquiryData;

/**
 * Labels as a person reads them: the medium ID printed on the cartridge or disc, the device ID on
 * the drive's rating plate (claims 15-17: both IDs are shown to a person).
 */
final class Label {

  private Label() {}

  static String render(MediumMetadata m) {
    return box(
        "secdrive " + m.type() + "  " + Units.bytes(m.capacityBytes()),
        "Medium ID: " + m.id(),
        m.label());
  }

  /** The drive's label: make and model as INQUIRY gives them, and the device ID. */
  static String drive(StandardInquiryData inquiry, String deviceId) {
    return box(
        inquiry.vendor() + " " + inquiry.product() + "  rev " + inquiry.revision(),
        "Device ID: " + deviceId);
  }

  private static String box(String... lines) {
    int width = 0;
    for (String line : lines) {
      width = Math.max(width, line.length());
    }
    String border = "+" + "-".repeat(width + 2) + "+";
    StringBuilder out = new StringBuilder(border).append('\n');
    for (String line : lines) {
      out.append("| ").append(line).append(" ".repeat(width - line.length())).append(" |\n");
    }
    return out.append(border).append('\n').toString();
  }
}
