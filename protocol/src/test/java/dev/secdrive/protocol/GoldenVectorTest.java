package dev.secdrive.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.secdrive.protocol.cd.CdCapabilitiesPage;
import dev.secdrive.protocol.cd.Configuration;
import dev.secdrive.protocol.cd.FullToc;
import dev.secdrive.protocol.cd.MediaCatalogNumber;
import dev.secdrive.protocol.cd.ModeParameters10;
import dev.secdrive.protocol.cd.QSubChannel;
import dev.secdrive.protocol.cd.SessionInfo;
import dev.secdrive.protocol.cd.SubChannelPosition;
import dev.secdrive.protocol.cd.Toc;
import dev.secdrive.protocol.cd.TrackIsrc;
import dev.secdrive.protocol.cdb.Cdb;
import dev.secdrive.protocol.cdb.Cdbs;
import dev.secdrive.protocol.cdb.Opcode;
import dev.secdrive.protocol.data.BlockLimits;
import dev.secdrive.protocol.data.DefectListHeader;
import dev.secdrive.protocol.data.DeviceIdentification;
import dev.secdrive.protocol.data.LbaStatus;
import dev.secdrive.protocol.data.LunList;
import dev.secdrive.protocol.data.MediaEventStatus;
import dev.secdrive.protocol.data.MediaSerialNumber;
import dev.secdrive.protocol.data.ModeParameters6;
import dev.secdrive.protocol.data.PersistentReserveInData;
import dev.secdrive.protocol.data.PersistentReserveParameters;
import dev.secdrive.protocol.data.ReadCapacity10Data;
import dev.secdrive.protocol.data.ReadCapacity16Data;
import dev.secdrive.protocol.data.StandardInquiryData;
import dev.secdrive.protocol.data.SupportedOperationCodes;
import dev.secdrive.protocol.data.SupportedVpdPages;
import dev.secdrive.protocol.data.UnitSerialNumber;
import dev.secdrive.protocol.frame.CommandFrame;
import dev.secdrive.protocol.frame.Direction;
import dev.secdrive.protocol.frame.Frame;
import dev.secdrive.protocol.frame.FrameCodec;
import dev.secdrive.protocol.frame.ProtocolErrorFrame;
import dev.secdrive.protocol.frame.StatusFrame;
import dev.secdrive.protocol.security.BackupBlob;
import dev.secdrive.protocol.security.BackupData;
import dev.secdrive.protocol.security.BackupRequest;
import dev.secdrive.protocol.security.Binding;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.CertificateData;
import dev.secdrive.protocol.security.Challenge;
import dev.secdrive.protocol.security.CheckInstall;
import dev.secdrive.protocol.security.ConversionGrant;
import dev.secdrive.protocol.security.CopyCertificate;
import dev.secdrive.protocol.security.CopyRecord;
import dev.secdrive.protocol.security.InstallConversion;
import dev.secdrive.protocol.security.InstallCopy;
import dev.secdrive.protocol.security.LicenseStatus;
import dev.secdrive.protocol.security.MasterCatalog;
import dev.secdrive.protocol.security.OpenPlayback;
import dev.secdrive.protocol.security.ProvisionRequest;
import dev.secdrive.protocol.security.Reason;
import dev.secdrive.protocol.security.ResealRequest;
import dev.secdrive.protocol.security.RestoreRequest;
import dev.secdrive.protocol.security.SupportedSecurityProtocols;
import dev.secdrive.protocol.security.TitleHeader;
import dev.secdrive.protocol.sense.ScsiStatus;
import dev.secdrive.protocol.sense.SenseData;
import dev.secdrive.protocol.testing.GoldenVectors;
import dev.secdrive.protocol.testing.GoldenVectors.Vector;
import dev.secdrive.protocol.testing.Hex;
import dev.secdrive.protocol.testing.LeakRecorder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCountUtil;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs every golden vector in {@code src/test/resources/vectors/}: decode the bytes, compare the
 * record field by field with {@code expected}, encode the record again and compare the bytes. The
 * vectors were written from the SPC-4 / SBC-3 / MMC-6 field tables and {@code PROTOCOL.md}, not by
 * running the encoders.
 */
class GoldenVectorTest {

  /** Parameter data records by the simple class name used as {@code type} in data.json. */
  private static final Map<String, Class<?>> DATA_TYPES =
      Stream.of(
              StandardInquiryData.class,
              SupportedVpdPages.class,
              UnitSerialNumber.class,
              DeviceIdentification.class,
              BlockLimits.class,
              ReadCapacity10Data.class,
              ReadCapacity16Data.class,
              DefectListHeader.class,
              PersistentReserveParameters.class,
              PersistentReserveInData.ReadKeys.class,
              PersistentReserveInData.ReadReservation.class,
              PersistentReserveInData.ReportCapabilities.class,
              PersistentReserveInData.FullStatus.class,
              LbaStatus.class,
              ModeParameters6.class,
              MediaSerialNumber.class,
              LunList.class,
              SupportedOperationCodes.AllCommands.class,
              SupportedOperationCodes.OneCommand.class,
              MediaEventStatus.class,
              SenseData.class)
          .collect(Collectors.toMap(Class::getSimpleName, Function.identity()));

  /** Secure-layer payloads by the simple class name used as {@code type} in security.json. */
  private static final Map<String, Class<?>> SECURITY_TYPES =
      Stream.of(
              SupportedSecurityProtocols.class,
              CertificateData.class,
              Certificate.class,
              Challenge.class,
              LicenseStatus.class,
              BackupData.class,
              ProvisionRequest.class,
              OpenPlayback.class,
              BackupRequest.class,
              RestoreRequest.class,
              ResealRequest.class,
              TitleHeader.class,
              BackupBlob.class,
              MasterCatalog.class,
              CopyCertificate.class,
              CopyRecord.class,
              InstallCopy.class,
              CheckInstall.class,
              ConversionGrant.class,
              InstallConversion.class)
          .collect(Collectors.toMap(Class::getSimpleName, Function.identity()));

  /** CD structures (MMC-6, PROTOCOL.md "CD-DA") by the simple class name used in cd.json. */
  private static final Map<String, Class<?>> CD_TYPES =
      Stream.of(
              Toc.class,
              SessionInfo.class,
              FullToc.class,
              SubChannelPosition.class,
              MediaCatalogNumber.class,
              TrackIsrc.class,
              QSubChannel.class,
              Configuration.class,
              ModeParameters10.class,
              CdCapabilitiesPage.class)
          .collect(Collectors.toMap(Class::getSimpleName, Function.identity()));

  @AfterAll
  static void noLeaks() {
    LeakRecorder.assertNoLeaks();
  }

  @TestFactory
  Stream<DynamicNode> goldenVectors() {
    return Stream.of(
        container("cdb.json", GoldenVectorTest::checkCdb),
        container("data.json", GoldenVectorTest::checkData),
        container("frames.json", GoldenVectorTest::checkFrame),
        container("security.json", GoldenVectorTest::checkSecurity),
        container("cd.json", GoldenVectorTest::checkCd));
  }

  private static DynamicNode container(String file, VectorCheck check) {
    return dynamicContainer(
        file,
        GoldenVectors.load(file).stream()
            .map(v -> dynamicTest(v.type() + ": " + v.name(), () -> check.run(v))));
  }

  @FunctionalInterface
  private interface VectorCheck {
    void run(Vector vector) throws Exception;
  }

  // ------------------------------------------------------------------ the three decoders

  private static void checkCdb(Vector vector) throws Exception {
    byte[] bytes = vector.bytes();
    Cdb cdb = Cdbs.decode(bytes);
    assertEquals(vector.type(), cdb.getClass().getSimpleName(), "decoded record type");
    assertEquals(bytes[0] & 0xFF, cdb.opcode().code(), "opcode");
    assertEquals(cdb.opcode().cdbLength(), bytes.length, "CDB length of " + cdb.opcode());
    assertEquals(bytes[bytes.length - 1] & 0xFF, cdb.control(), "CONTROL is the last byte");
    GoldenVectors.assertMatches(vector.expected(), GoldenVectors.tree(cdb), vector.toString());
    assertEquals(Hex.format(bytes), Hex.format(cdb.encode()), "re-encoded " + vector);
  }

  private static void checkData(Vector vector) throws Exception {
    Class<?> type = DATA_TYPES.get(vector.type());
    assertNotNull(type, "unknown data type " + vector.type());
    byte[] bytes = vector.bytes();
    Object record = call(type.getMethod("decode", byte[].class), null, bytes);
    assertEquals(vector.type(), record.getClass().getSimpleName(), "decoded record type");
    GoldenVectors.assertMatches(vector.expected(), GoldenVectors.tree(record), vector.toString());
    byte[] encoded = (byte[]) call(type.getMethod("encode"), record);
    assertEquals(Hex.format(bytes), Hex.format(encoded), "re-encoded " + vector);
  }

  private static void checkCd(Vector vector) throws Exception {
    Class<?> type = CD_TYPES.get(vector.type());
    assertNotNull(type, "unknown CD structure " + vector.type());
    byte[] bytes = vector.bytes();
    Object record = call(type.getMethod("decode", byte[].class), null, bytes);
    GoldenVectors.assertMatches(vector.expected(), GoldenVectors.tree(record), vector.toString());
    byte[] encoded = (byte[]) call(type.getMethod("encode"), record);
    assertEquals(Hex.format(bytes), Hex.format(encoded), "re-encoded " + vector);
  }

  @Test
  void cdVectorsCoverEveryCdStructure() {
    assertEquals(
        new TreeSet<>(CD_TYPES.keySet()),
        GoldenVectors.load("cd.json").stream()
            .map(Vector::type)
            .collect(Collectors.toCollection(TreeSet::new)));
  }

  private static void checkSecurity(Vector vector) throws Exception {
    Class<?> type = SECURITY_TYPES.get(vector.type());
    assertNotNull(type, "unknown security payload type " + vector.type());
    byte[] bytes = vector.bytes();
    Object record = call(type.getMethod("decode", byte[].class), null, bytes);
    GoldenVectors.assertMatches(vector.expected(), GoldenVectors.tree(record), vector.toString());
    byte[] encoded =
        record instanceof TitleHeader header
            ? header.encode(bytes.length)
            : (byte[]) call(type.getMethod("encode"), record);
    assertEquals(Hex.format(bytes), Hex.format(encoded), "re-encoded " + vector);
  }

  private static void checkFrame(Vector vector) {
    byte[] bytes = vector.bytes();
    ByteBuf body = Unpooled.wrappedBuffer(bytes);
    Frame frame = FrameCodec.decode(body);
    try {
      assertEquals(0, body.readableBytes(), "decode consumes the whole body");
      assertEquals(vector.type(), frame.getClass().getSimpleName(), "decoded frame type");
      GoldenVectors.assertMatches(vector.expected(), GoldenVectors.tree(frame), vector.toString());

      assertEquals(bytes.length, FrameCodec.bodyLength(frame), "bodyLength");
      ByteBuf out = Unpooled.buffer();
      try {
        FrameCodec.writeHeader(frame, out);
        assertEquals(FrameCodec.headerLength(frame), out.readableBytes(), "headerLength");
        ByteBuf data = FrameCodec.data(frame);
        if (data != null) {
          out.writeBytes(data, data.readerIndex(), data.readableBytes());
        }
        assertEquals(
            Hex.format(bytes), Hex.format(ByteBufUtil.getBytes(out)), "re-encoded " + vector);
      } finally {
        out.release();
      }
    } finally {
      ReferenceCountUtil.release(frame);
      body.release();
    }
    // The frame's data is a retained slice of the body: one release each frees it.
    assertEquals(0, body.refCnt(), "body still referenced after releasing the frame");
  }

  // ------------------------------------------------------------------ coverage of the vector files

  @Test
  void cdbVectorsCoverEveryOpcode() throws Exception {
    Set<Opcode> covered = EnumSet.noneOf(Opcode.class);
    for (Vector v : GoldenVectors.load("cdb.json")) {
      covered.add(Cdbs.decode(v.bytes()).opcode());
    }
    assertEquals(EnumSet.allOf(Opcode.class), covered);
  }

  @Test
  void securityVectorsCoverEveryPayloadAndBinding() throws Exception {
    List<Vector> vectors = GoldenVectors.load("security.json");
    assertEquals(
        new TreeSet<>(SECURITY_TYPES.keySet()),
        vectors.stream().map(Vector::type).collect(Collectors.toCollection(TreeSet::new)));
    Set<Binding> bindings = EnumSet.noneOf(Binding.class);
    for (Vector v : vectors) {
      if (v.type().equals("BackupBlob")) {
        bindings.add(BackupBlob.decode(v.bytes()).binding());
      }
    }
    assertEquals(EnumSet.allOf(Binding.class), bindings, "bindings with a backup blob vector");
  }

  /**
   * Every secure-layer refusal has a fixed-format sense vector written from PROTOCOL.md "Refusals",
   * and {@link Reason#senseData()} produces exactly those bytes, so a reason whose ASC/ASCQ or code
   * drifts from the table fails here.
   */
  @Test
  void senseVectorsCoverEverySecureLayerRefusal() throws Exception {
    Map<Reason, byte[]> vectors = new EnumMap<>(Reason.class);
    for (Vector v : GoldenVectors.load("data.json")) {
      if (v.type().equals("SenseData")) {
        SenseData sense = SenseData.decode(v.bytes());
        Reason.fromSense(sense).ifPresent(r -> vectors.putIfAbsent(r, v.bytes()));
      }
    }
    assertEquals(EnumSet.allOf(Reason.class), vectors.keySet(), "reasons with a sense vector");
    for (Map.Entry<Reason, byte[]> e : vectors.entrySet()) {
      SenseData sense = SenseData.decode(e.getValue());
      SenseData made =
          sense.valid() ? e.getKey().senseData(sense.information()) : e.getKey().senseData();
      assertEquals(Hex.format(e.getValue()), Hex.format(made.encode()), e.getKey().name());
    }
  }

  @Test
  void dataVectorsCoverEveryParameterDataRecord() throws Exception {
    List<Vector> vectors = GoldenVectors.load("data.json");
    assertEquals(
        new TreeSet<>(DATA_TYPES.keySet()),
        vectors.stream().map(Vector::type).collect(Collectors.toCollection(TreeSet::new)));
    List<Object> decoded = new ArrayList<>();
    for (Vector v : vectors) {
      Class<?> type = DATA_TYPES.get(v.type());
      decoded.add(call(type.getMethod("decode", byte[].class), null, v.bytes()));
    }
    assertCovered(
        decoded,
        "mode parameters with a block descriptor",
        o -> o instanceof ModeParameters6 m && m.blockDescriptor() != null);
    assertCovered(
        decoded,
        "mode parameters without a block descriptor",
        o -> o instanceof ModeParameters6 m && m.blockDescriptor() == null);
    assertCovered(
        decoded,
        "padded media serial number",
        o -> o instanceof MediaSerialNumber m && m.serialNumber().length() % 4 != 0);
    assertCovered(
        decoded, "media event", o -> o instanceof MediaEventStatus m && !m.noEventAvailable());
    assertCovered(
        decoded,
        "no event available",
        o -> o instanceof MediaEventStatus m && m.noEventAvailable());
    assertCovered(
        decoded,
        "sense with VALID and INFORMATION",
        o -> o instanceof SenseData s && s.valid() && s.information() != 0);
    assertCovered(
        decoded,
        "sense with a bit pointer",
        o -> o instanceof SenseData s && s.fieldPointer() != null && s.fieldPointer().bit() >= 0);
    assertCovered(
        decoded,
        "sense with a field pointer and no bit pointer",
        o -> o instanceof SenseData s && s.fieldPointer() != null && s.fieldPointer().bit() < 0);
  }

  @Test
  void frameVectorsCoverEveryKindOfFrame() {
    List<Frame> frames = new ArrayList<>();
    try {
      for (Vector v : GoldenVectors.load("frames.json")) {
        frames.add(FrameCodec.decode(Unpooled.wrappedBuffer(v.bytes())));
      }
      assertCovered(
          frames,
          "data-in command",
          f -> f instanceof CommandFrame c && c.direction() == Direction.IN);
      assertCovered(
          frames,
          "data-out command with payload",
          f ->
              f instanceof CommandFrame c
                  && c.direction() == Direction.OUT
                  && c.dataOut().isReadable());
      assertCovered(
          frames,
          "GOOD with data and underflow",
          f ->
              f instanceof StatusFrame s
                  && s.status() == ScsiStatus.GOOD
                  && s.underflow()
                  && s.dataIn().isReadable());
      assertCovered(
          frames,
          "CHECK CONDITION with 18-byte sense",
          f ->
              f instanceof StatusFrame s
                  && s.status() == ScsiStatus.CHECK_CONDITION
                  && s.sense().length == SenseData.FIXED_LENGTH);
      assertCovered(frames, "overflow", f -> f instanceof StatusFrame s && s.overflow());
      assertCovered(frames, "protocol error", f -> f instanceof ProtocolErrorFrame);
    } finally {
      frames.forEach(ReferenceCountUtil::release);
    }
  }

  private static <T> void assertCovered(List<T> decoded, String what, Predicate<T> predicate) {
    assertTrue(decoded.stream().anyMatch(predicate), "no golden vector for: " + what);
  }

  // ------------------------------------------------------------------ helpers

  private static Object call(Method method, Object target, Object... args) throws Exception {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      if (e.getTargetException() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }

  @Test
  void identicalBytesRoundTripThroughTheHexHelper() {
    byte[] bytes = {0x00, 0x7F, (byte) 0x80, (byte) 0xFF};
    assertArrayEquals(bytes, Hex.parse(" 00 7f\n80 FF "));
    assertEquals("007F80FF", Hex.format(bytes));
  }
}
