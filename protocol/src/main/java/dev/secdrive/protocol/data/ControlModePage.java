package dev.secdrive.protocol.data;

/**
 * The Control mode page (0Ah, SPC-4, Control mode page) as secdrive's drives return it: one task
 * set for all initiators (TST 000b), restricted reordering (QUEUE ALGORITHM MODIFIER 0), QERR 00b,
 * fixed-format sense (D_SENSE 0), unit attentions cleared when reported (UA_INTLCK_CTRL 00b), no
 * software write protect, GLTSD set (no log parameters are saved), an unlimited busy timeout
 * (FFFFh). Nothing is changeable.
 */
public final class ControlModePage {

  public static final int PAGE_CODE = 0x0A;
  public static final int PAGE_LENGTH = 0x0A;

  private static final int GLTSD = 0x02;
  private static final int UNLIMITED_BUSY_TIMEOUT = 0xFFFF;

  private ControlModePage() {}

  /**
   * The page with its two-byte header.
   *
   * @param changeable the changeable mask (all zero) instead of the current values
   */
  public static byte[] page(boolean changeable) {
    byte[] page = new byte[2 + PAGE_LENGTH];
    page[0] = (byte) PAGE_CODE;
    page[1] = (byte) PAGE_LENGTH;
    if (!changeable) {
      page[2] = (byte) GLTSD;
      page[8] = (byte) (UNLIMITED_BUSY_TIMEOUT >>> 8);
      page[9] = (byte) UNLIMITED_BUSY_TIMEOUT;
    }
    return page;
  }
}
