package dev.secdrive.cli;

import dev.secdrive.emulator.media.MediumMetadata;

/** The medium's label as a person reads it: the medium ID printed on the cartridge or disc. */
final class Label {

  private Label() {}

  static String render(MediumMetadata m) {
    String[] lines = {
      "secdrive " + m.type() + "  " + Units.bytes(m.capacityBytes()),
      "Medium ID: " + m.id(),
      m.label()
    };
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
