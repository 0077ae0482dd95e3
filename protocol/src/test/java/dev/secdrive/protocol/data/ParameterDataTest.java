package dev.secdrive.protocol.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.secdrive.protocol.data.DeviceIdentification.Designator;
import dev.secdrive.protocol.data.MediaEventStatus.MediaEvent;
import dev.secdrive.protocol.data.SupportedOperationCodes.AllCommands;
import dev.secdrive.protocol.data.SupportedOperationCodes.CommandDescriptor;
import dev.secdrive.protocol.data.SupportedOperationCodes.OneCommand;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Edge cases of the parameter data records. A host reads these with an allocation length of its
 * choosing, so inputs are often truncated: the decoders either decode what arrived or reject the
 * input with an {@link IllegalArgumentException} that says what was too short.
 */
class ParameterDataTest {

  private static byte[] hex(String hex) {
    return HexFormat.of().parseHex(hex.replace(" ", ""));
  }

  private static byte[] truncate(byte[] in, int length) {
    return Arrays.copyOf(in, length);
  }

  private static void rejects(String message, Executable decode) {
    assertEquals(message, assertThrows(IllegalArgumentException.class, decode).getMessage());
  }

  // ---------------------------------------------------------------- INQUIRY

  @Test
  void standardInquiryDataNeedsAllThirtySixBytes() {
    byte[] full = new StandardInquiryData(0, 0, true, 6, "SECDRIVE", "SD-100", "0001").encode();
    rejects(
        "standard INQUIRY data needs at least 36 bytes, got 5",
        () -> StandardInquiryData.decode(truncate(full, 5)));
    rejects(
        "standard INQUIRY data needs at least 36 bytes, got 35",
        () -> StandardInquiryData.decode(truncate(full, 35)));
  }

  @Test
  void standardInquiryDataNotSupported() {
    byte[] bytes = StandardInquiryData.notSupported().encode();
    assertEquals(0x7F, bytes[0] & 0xFF, "qualifier 011b, device type 1Fh");
    assertEquals(StandardInquiryData.notSupported(), StandardInquiryData.decode(bytes));
  }

  @Test
  void inquiryStringsLoseTrailingSpacesAndNuls() {
    byte[] bytes = new StandardInquiryData(0, 5, true, 6, "AB", "C", "1").encode();
    bytes[9] = 0; // a NUL-padded vendor field from a foreign device
    assertEquals("A", StandardInquiryData.decode(bytes).vendor());
  }

  @Test
  void vpdPagesCheckPageCodeAndLength() {
    byte[] serial = new UnitSerialNumber(0, "SD000042").encode();
    rejects(
        "Unit Serial Number needs at least 12 bytes, got 6",
        () -> UnitSerialNumber.decode(truncate(serial, 6)));
    rejects(
        "Unit Serial Number needs at least 4 bytes, got 3",
        () -> UnitSerialNumber.decode(truncate(serial, 3)));
    rejects("expected VPD page 83h, got 80h", () -> DeviceIdentification.decode(serial));
    rejects("expected VPD page B0h, got 80h", () -> BlockLimits.decode(serial));
    rejects("expected VPD page 00h, got 80h", () -> SupportedVpdPages.decode(serial));
    byte[] limits = new BlockLimits(0, 255, 16384, 128, 16384).encode();
    assertEquals(64, limits.length);
    rejects(
        "Block Limits needs at least 64 bytes, got 16",
        () -> BlockLimits.decode(truncate(limits, 16)));
  }

  @Test
  void deviceIdentificationRoundTripsAndRejectsAnOverrunningDescriptor() {
    Designator vendor =
        new Designator(
            Designator.CODE_SET_ASCII,
            0,
            Designator.TYPE_T10_VENDOR_ID,
            "SECDRIVESD000042".getBytes(StandardCharsets.US_ASCII));
    Designator eui =
        new Designator(
            Designator.CODE_SET_BINARY, 0, Designator.TYPE_EUI64, hex("0011223344556677"));
    DeviceIdentification page = new DeviceIdentification(0, List.of(vendor, eui));
    assertEquals(page, DeviceIdentification.decode(page.encode()));
    assertEquals("SECDRIVESD000042", vendor.text());
    assertEquals("0011223344556677", eui.text());
    // The page length says 8 bytes, the descriptor claims 16.
    rejects(
        "designation descriptor overruns the page",
        () -> DeviceIdentification.decode(hex("00 83 00 08 02 01 00 10 53 45 43 44")));
  }

  @Test
  void designatorValueIsCopied() {
    byte[] value = hex("0011223344556677");
    Designator d = new Designator(1, 0, 2, value);
    value[0] = 0x7F;
    assertEquals(0, d.value()[0]);
    d.value()[0] = 0x7F;
    assertEquals(0, d.value()[0]);
  }

  // ---------------------------------------------------------------- READ CAPACITY

  @Test
  void readCapacity16HoldsLbasBeyondThirtyTwoBits() {
    ReadCapacity16Data data = new ReadCapacity16Data(0x0000_0123_4567_89ABL, 512);
    byte[] bytes = data.encode();
    assertArrayEquals(hex("00 00 01 23 45 67 89 AB 00 00 02 00"), truncate(bytes, 12));
    assertEquals(32, bytes.length);
    assertEquals(data, ReadCapacity16Data.decode(bytes));
    // A 12-byte allocation length still carries LBA and block length.
    assertEquals(data, ReadCapacity16Data.decode(truncate(bytes, 12)));
    rejects(
        "READ CAPACITY(16) data needs at least 12 bytes, got 11",
        () -> ReadCapacity16Data.decode(truncate(bytes, 11)));
  }

  @Test
  void readCapacity16WithTheTopLbaBitSet() {
    ReadCapacity16Data data = ReadCapacity16Data.decode(hex("FF FF FF FF FF FF FF FE 00 00 10 00"));
    assertEquals("18446744073709551614", Long.toUnsignedString(data.returnedLba()));
  }

  @Test
  void readCapacity10NeedsEightBytes() {
    rejects(
        "READ CAPACITY(10) data needs at least 8 bytes, got 4",
        () -> ReadCapacity10Data.decode(new byte[4]));
  }

  // ---------------------------------------------------------------- MODE SENSE

  @Test
  void modeParametersTruncatedInsideThePages() {
    ModeParameters6 full =
        new ModeParameters6(
            0,
            true,
            new ModeParameters6.BlockDescriptor(0, 1000, 512),
            hex("08 12 04 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"));
    byte[] bytes = full.encode();
    ModeParameters6 partial = ModeParameters6.decode(truncate(bytes, 16));
    assertEquals(full.blockDescriptor(), partial.blockDescriptor());
    assertArrayEquals(hex("08 12 04 00"), partial.pages());
    assertEquals(true, partial.writeProtected());
  }

  @Test
  void modeParametersTruncatedInsideTheBlockDescriptorAreRejected() {
    byte[] bytes =
        new ModeParameters6(0, true, new ModeParameters6.BlockDescriptor(0, 1000, 512), new byte[0])
            .encode();
    rejects(
        "mode block descriptor needs at least 12 bytes, got 4",
        () -> ModeParameters6.decode(truncate(bytes, 4)));
    rejects(
        "mode parameter header needs at least 4 bytes, got 3",
        () -> ModeParameters6.decode(truncate(bytes, 3)));
  }

  @Test
  void modeParametersStopAtTheModeDataLength() {
    // MODE DATA LENGTH 5: header + 2 page bytes; the trailing bytes are not mode data.
    ModeParameters6 mode = ModeParameters6.decode(hex("05 00 00 00 08 00 FF FF"));
    assertNull(mode.blockDescriptor());
    assertArrayEquals(hex("08 00"), mode.pages());
  }

  @Test
  void modeBlockDescriptorMaximum() {
    ModeParameters6.BlockDescriptor max =
        new ModeParameters6.BlockDescriptor(
            0, ModeParameters6.BlockDescriptor.MAXIMUM_BLOCKS, 0xFF_FFFF);
    ModeParameters6 mode = new ModeParameters6(0, false, max, new byte[0]);
    assertArrayEquals(hex("0B 00 00 08 00 FF FF FF 00 FF FF FF"), mode.encode());
    assertEquals(mode, ModeParameters6.decode(mode.encode()));
  }

  // ---------------------------------------------------------------- READ MEDIA SERIAL NUMBER

  @Test
  void mediaSerialNumberPadsToAMultipleOfFour() {
    for (int length = 0; length <= 9; length++) {
      String serial = "M".repeat(length);
      byte[] bytes = new MediaSerialNumber(serial).encode();
      int padded = (length + 3) / 4 * 4;
      assertEquals(4 + padded, bytes.length, serial);
      assertEquals(padded, bytes[3], "MEDIA SERIAL NUMBER LENGTH");
      for (int i = 4 + length; i < bytes.length; i++) {
        assertEquals(' ', bytes[i], "padding byte " + i);
      }
      assertEquals(serial, MediaSerialNumber.decode(bytes).serialNumber());
    }
  }

  @Test
  void mediaSerialNumberTruncatedDecodesWhatArrived() {
    byte[] bytes = new MediaSerialNumber("MED-0042X").encode();
    assertEquals("MED-00", MediaSerialNumber.decode(truncate(bytes, 10)).serialNumber());
    assertEquals("", MediaSerialNumber.decode(truncate(bytes, 4)).serialNumber());
    rejects(
        "media serial number needs at least 4 bytes, got 2",
        () -> MediaSerialNumber.decode(truncate(bytes, 2)));
  }

  // ---------------------------------------------------------------- REPORT LUNS

  @Test
  void lunListTruncatedYieldsTheEntriesThatArrived() {
    byte[] bytes = new LunList(List.of(0, 1, 5)).encode();
    assertEquals(new LunList(List.of(0, 1, 5)), LunList.decode(bytes));
    // REPORT LUNS with allocation length 16: header and the first entry.
    assertEquals(new LunList(List.of(0)), LunList.decode(truncate(bytes, 16)));
    assertEquals(new LunList(List.of(0)), LunList.decode(truncate(bytes, 23)));
    assertEquals(new LunList(List.of()), LunList.decode(truncate(bytes, 8)));
    assertEquals(24, bytes[3], "LUN LIST LENGTH counts all entries, not those that fit");
    rejects("LUN list needs at least 8 bytes, got 7", () -> LunList.decode(truncate(bytes, 7)));
  }

  @Test
  void lunListDecodesFlatSpaceAddressing() {
    // SAM-5 4.7.9: flat space addressing, method 01b, 14-bit LUN in bytes 0-1.
    LunList list =
        LunList.decode(
            hex(
                "00 00 00 18 00 00 00 00"
                    + " 40 07 00 00 00 00 00 00"
                    + " 40 FF 00 00 00 00 00 00"
                    + " 00 03 00 00 00 00 00 00"));
    assertEquals(List.of(7, 255, 3), list.luns());
  }

  @Test
  void lunListDropsFlatSpaceLunsBeyondTheMaximum() {
    LunList list =
        LunList.decode(
            hex("00 00 00 10 00 00 00 00 41 2C 00 00 00 00 00 00 00 02 00 00 00 00 00 00"));
    assertEquals(List.of(2), list.luns(), "LUN 300 cannot be addressed by secdrive");
  }

  // ---------------------------------------------------------------- REPORT SUPPORTED OPERATION
  // CODES

  @Test
  void allCommandsTruncatedYieldsWholeDescriptors() {
    AllCommands all =
        new AllCommands(
            List.of(
                new CommandDescriptor(0x28, 0, false, 10),
                new CommandDescriptor(0x9E, 0x10, true, 16)));
    byte[] bytes = all.encode();
    assertEquals(all, AllCommands.decode(bytes));
    assertEquals(
        new AllCommands(List.of(all.commands().get(0))), AllCommands.decode(truncate(bytes, 19)));
    assertEquals(new AllCommands(List.of()), AllCommands.decode(truncate(bytes, 4)));
  }

  @Test
  void allCommandsReadsAndWritesCommandTimeoutsDescriptors() {
    // CTDP (byte 5 bit 1): a 12-byte command timeouts descriptor follows the descriptor.
    byte[] bytes =
        hex(
            "00 00 00 1C"
                + " 28 00 00 00 00 02 00 0A"
                + " 00 0A 00 00 00 00 00 1E 00 00 00 3C"
                + " 00 00 00 00 00 00 00 06");
    AllCommands all =
        new AllCommands(
            List.of(
                new CommandDescriptor(
                    0x28, 0, false, 10, new SupportedOperationCodes.CommandTimeouts(30, 60)),
                new CommandDescriptor(0x00, 0, false, 6)));
    assertEquals(all.commands(), AllCommands.decode(bytes).commands());
    assertArrayEquals(bytes, all.encode());
  }

  @Test
  void oneCommandWithCommandTimeoutsRoundTrips() {
    // CTDP (byte 1 bit 7): the timeouts descriptor follows the usage data (SPC-4 6.35.3).
    OneCommand one =
        new OneCommand(
            OneCommand.SUPPORTED, hex("00 00"), new SupportedOperationCodes.CommandTimeouts(0, 30));
    byte[] bytes = one.encode();
    assertArrayEquals(hex("00 83 00 02 00 00 00 0A 00 00 00 00 00 00 00 00 00 1E"), bytes);
    assertEquals(one, OneCommand.decode(bytes));
  }

  @Test
  void oneCommandTruncatedUsageData() {
    OneCommand one = new OneCommand(OneCommand.SUPPORTED, hex("28 F8 FF FF FF FF 1F FF FF 04"));
    assertEquals(one, OneCommand.decode(one.encode()));
    assertEquals(
        new OneCommand(OneCommand.SUPPORTED, hex("28 F8")),
        OneCommand.decode(truncate(one.encode(), 6)));
    rejects(
        "one-command parameter data needs at least 4 bytes, got 2",
        () -> OneCommand.decode(new byte[2]));
  }

  // ---------------------------------------------------------------- GET EVENT STATUS NOTIFICATION

  @Test
  void mediaEventStatusTruncatedDescriptorIsRejected() {
    byte[] bytes = new MediaEventStatus(false, MediaEvent.NEW_MEDIA, true, false).encode();
    rejects(
        "media event descriptor needs at least 8 bytes, got 6",
        () -> MediaEventStatus.decode(truncate(bytes, 6)));
    rejects(
        "event status header needs at least 4 bytes, got 2",
        () -> MediaEventStatus.decode(truncate(bytes, 2)));
  }

  @Test
  void mediaEventStatusHeaderOnlyMeansNoEvent() {
    assertEquals(MediaEventStatus.none(), MediaEventStatus.decode(hex("00 02 04 10")));
    assertArrayEquals(hex("00 02 80 10"), MediaEventStatus.none().encode());
  }

  @Test
  void mediaEventCodes() {
    for (MediaEvent event : MediaEvent.values()) {
      assertEquals(event, MediaEvent.fromCode(event.code()));
      MediaEventStatus status = new MediaEventStatus(false, event, true, true);
      assertEquals(status, MediaEventStatus.decode(status.encode()));
    }
    rejects("unknown media event code 7", () -> MediaEvent.fromCode(7));
  }

  @Test
  void supportedVpdPagesTruncated() {
    byte[] bytes = new SupportedVpdPages(0, List.of(0x00, 0x80, 0x83, 0xB0)).encode();
    rejects(
        "Supported VPD Pages needs at least 8 bytes, got 6",
        () -> SupportedVpdPages.decode(truncate(bytes, 6)));
  }
}
