package dev.secdrive.protocol.frame;

/**
 * Direction of a command's data phase: bit 7 of the command frame's flags, as in the USB BOT CBW's
 * bmCBWFlags (1 = data-in, device to host).
 */
public enum Direction {
  /** Data-out, or no data at all. */
  OUT,
  /** Data-in: the device returns up to the expected data-in length. */
  IN;

  static final int FLAG_IN = 0x80;

  int flags() {
    return this == IN ? FLAG_IN : 0;
  }
}
