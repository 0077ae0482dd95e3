package dev.secdrive.emulator.commands.spc;

import static dev.secdrive.protocol.BigEndian.u16;
import static dev.secdrive.protocol.BigEndian.u24;
import static dev.secdrive.protocol.BigEndian.u32;

import dev.secdrive.emulator.firmware.CheckCondition;
import dev.secdrive.protocol.cdb.ModeSelect;
import dev.secdrive.protocol.cdb.ModeSelect10;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A MODE SELECT(6) or (10) parameter list (SPC-4 7.5) checked against the pages MODE SENSE reports
 * and then applied. A host may send back what MODE SENSE gave it, changing only the bits the
 * changeable values mark; anything else is refused and nothing is applied (SPC-4 6.9: "the device
 * server shall not change any mode parameter" of a list it rejects):
 *
 * <ul>
 *   <li>SP set: INVALID FIELD IN CDB, no page is savable;
 *   <li>a list shorter than its header, its block descriptors, a page header or a page: PARAMETER
 *       LIST LENGTH ERROR (05/1A/00);
 *   <li>a medium type other than 0, LONGLBA, a block descriptor length other than 0 or 8, a block
 *       descriptor other than the current block length and capacity (or 0 blocks), a page the unit
 *       has not, a subpage format, a page length other than the page's, a page named twice, a bit
 *       that is not changeable set otherwise than its current value: INVALID FIELD IN PARAMETER
 *       LIST (05/26/00) with the field pointer at the offending byte in the list;
 *   <li>pages after the block descriptors with PF clear: INVALID FIELD IN CDB (vendor pages).
 * </ul>
 *
 * <p>The header's MODE DATA LENGTH (reserved in MODE SELECT) and device-specific parameter (WP and
 * DPOFUA are ignored on select, SBC-3 6.4.1) are not examined.
 */
public final class ModeSelectList {

  /** The mode pages of a unit, each with its two-byte page header, as MODE SENSE reports them. */
  public interface Pages {

    /** The current values of page {@code code}, or null when the unit has no such page. */
    byte[] current(int code);

    /** The changeable-values mask of page {@code code}, as long as its current values. */
    byte[] changeable(int code);

    /** Makes {@code page}, checked against the mask, the page's current values. */
    void set(int code, byte[] page);
  }

  private static final int SPF = 0x40;
  private static final int PAGE_CODE_MASK = 0x3F;
  private static final int SHORT_DESCRIPTOR_LENGTH = 8;

  private ModeSelectList() {}

  /**
   * Checks the list in {@code dataOut} and applies it to {@code pages}.
   *
   * @param blockLength the logical block length a block descriptor must repeat
   * @param blocks the NUMBER OF LOGICAL BLOCKS MODE SENSE reports, which a block descriptor may
   *     repeat (or give as 0)
   * @return whether a current value changed
   */
  public static boolean apply(
      ModeSelect cdb, ByteBuffer dataOut, int blockLength, long blocks, Pages pages)
      throws CheckCondition {
    if (cdb.savePages()) {
      throw CheckCondition.invalidField(1, 0);
    }
    int length = cdb.parameterListLength();
    if (length == 0) {
      return false; // SPC-4 6.9: no data, and not an error
    }
    if (dataOut.remaining() < length) {
      throw CheckCondition.parameterListLength();
    }
    byte[] list = new byte[length];
    dataOut.duplicate().get(list);
    boolean ten = cdb instanceof ModeSelect10;
    int header = ten ? 8 : 4;
    if (length < header) {
      throw CheckCondition.parameterListLength();
    }
    int mediumType = ten ? 2 : 1;
    if (list[mediumType] != 0) {
      throw CheckCondition.invalidParameter(mediumType, -1);
    }
    if (ten && (list[4] & 0x01) != 0) {
      throw CheckCondition.invalidParameter(4, 0); // LONGLBA: no long LBA descriptors
    }
    int descriptorLengthAt = ten ? 6 : 3;
    int descriptors = ten ? u16(list, 6) : list[3] & 0xFF;
    if (descriptors != 0 && descriptors != SHORT_DESCRIPTOR_LENGTH) {
      throw CheckCondition.invalidParameter(descriptorLengthAt, -1);
    }
    if (header + descriptors > length) {
      throw CheckCondition.parameterListLength();
    }
    if (descriptors == SHORT_DESCRIPTOR_LENGTH) {
      checkDescriptor(list, header, blockLength, blocks);
    }
    int at = header + descriptors;
    if (at < length && !cdb.pageFormat()) {
      throw CheckCondition.invalidField(1, 4);
    }
    Map<Integer, byte[]> changes = new LinkedHashMap<>();
    while (at < length) {
      if (length - at < 2) {
        throw CheckCondition.parameterListLength();
      }
      if ((list[at] & SPF) != 0) {
        throw CheckCondition.invalidParameter(at, 6); // no page has subpages
      }
      int code = list[at] & PAGE_CODE_MASK;
      byte[] current = pages.current(code);
      if (current == null || changes.containsKey(code)) {
        throw CheckCondition.invalidParameter(at, 5);
      }
      int pageLength = list[at + 1] & 0xFF;
      if (pageLength != current.length - 2) {
        throw CheckCondition.invalidParameter(at + 1, -1);
      }
      if (at + 2 + pageLength > length) {
        throw CheckCondition.parameterListLength();
      }
      byte[] mask = pages.changeable(code);
      byte[] next = current.clone();
      for (int i = 2; i < current.length; i++) {
        int fixed = (list[at + i] ^ current[i]) & ~mask[i] & 0xFF;
        if (fixed != 0) {
          throw CheckCondition.invalidParameter(at + i, 31 - Integer.numberOfLeadingZeros(fixed));
        }
        next[i] = (byte) ((current[i] & ~mask[i]) | (list[at + i] & mask[i]));
      }
      changes.put(code, next);
      at += 2 + pageLength;
    }
    boolean changed = false;
    for (Map.Entry<Integer, byte[]> change : changes.entrySet()) {
      if (!Arrays.equals(change.getValue(), pages.current(change.getKey()))) {
        pages.set(change.getKey(), change.getValue());
        changed = true;
      }
    }
    return changed;
  }

  /**
   * A short block descriptor (SBC-3 6.4.4.2; SPC-4 7.5.5's general one reads the same when the
   * density code is 0): the capacity cannot change, nor the block length.
   */
  private static void checkDescriptor(byte[] list, int at, int blockLength, long blocks)
      throws CheckCondition {
    long count = u32(list, at);
    // MODE SENSE caps the count at FFFFFFh; past that, any count from there up means "as is"
    boolean capped = blocks == 0xFF_FFFFL && count >= blocks;
    if (count != 0 && count != blocks && !capped) {
      throw CheckCondition.invalidParameter(at, -1);
    }
    if (u24(list, at + 5) != blockLength) {
      throw CheckCondition.invalidParameter(at + 5, -1);
    }
  }
}
