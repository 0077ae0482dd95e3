package dev.secdrive.emulator.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.NonWritableChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MediumStoreTest {

  private static final long MO640_BLOCKS = 310_352;

  @TempDir Path root;

  private Path dir;
  private MediumStore store;

  @BeforeEach
  void setUp() {
    dir = root.resolve("media");
    store = MediumStore.openOrCreate(dir);
  }

  private static MediumStore.Spec spec(String id) {
    return new MediumStore.Spec(id, "mo-640", 2048, 1024, 4096, false, "backup disk", null);
  }

  private static MediumStore.Spec pressed(String id) {
    return new MediumStore.Spec(id, "cd-rom-650", 2048, 512, 1024, true, "master", null);
  }

  // ------------------------------------------------------------------ create

  @Test
  void createWithAGivenId() throws IOException {
    Instant before = Instant.now().minusSeconds(2);
    MediumMetadata m = store.create(spec("MO-0001"));
    assertEquals("MO-0001", m.id());
    assertEquals("mo-640", m.type());
    assertEquals(2048, m.blockSize());
    assertEquals(1024, m.blockCount());
    assertEquals(4096, m.secureAreaBytes());
    assertFalse(m.pressed());
    assertFalse(m.writeProtected());
    assertEquals("backup disk", m.label());
    assertEquals(MediumMetadata.FORMAT, m.format());
    assertTrue(!m.created().isBefore(before) && !m.created().isAfter(Instant.now()));
    assertEquals(m, store.info("MO-0001"));
    assertTrue(store.exists("MO-0001"));
    assertEquals(List.of(m), store.list());

    Path medium = dir.resolve("MO-0001");
    assertEquals(2048L * 1024, Files.size(medium.resolve("user.img")));
    assertArrayEquals(new byte[4096], Files.readAllBytes(medium.resolve("secure.bin")));
    assertTrue(Files.isRegularFile(medium.resolve("medium.json")));
  }

  @Test
  void createWithAGeneratedId() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 5; i++) {
      MediumMetadata m = store.create(spec(null));
      assertTrue(MediumMetadata.ID_PATTERN.matcher(m.id()).matches(), m.id());
      assertTrue(store.exists(m.id()));
      ids.add(m.id());
    }
    assertEquals(5, ids.size(), "generated IDs are unique");
    assertEquals(5, store.list().size());
  }

  @Test
  void duplicateIdIsRefused() throws IOException {
    store.create(spec("MO-0001"));
    byte[] json = Files.readAllBytes(dir.resolve("MO-0001").resolve("medium.json"));
    MediumException e = assertThrows(MediumException.class, () -> store.create(spec("MO-0001")));
    assertTrue(e.getMessage().contains("MO-0001"), e.getMessage());
    assertTrue(e.getMessage().contains("already exists"), e.getMessage());
    assertArrayEquals(json, Files.readAllBytes(dir.resolve("MO-0001").resolve("medium.json")));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "../escape",
        "-leading-dash",
        ".hidden",
        "has space",
        "a/b",
        "ä",
        "x23456789012345678901234567890123"
      })
  void invalidIdIsRefusedWithAClearMessage(String id) throws IOException {
    MediumException e = assertThrows(MediumException.class, () -> store.create(spec(id)));
    assertTrue(e.getMessage().contains("invalid medium ID '" + id + "'"), e.getMessage());
    assertTrue(e.getMessage().contains("1-32"), e.getMessage());
    try (var entries = Files.list(dir)) {
      assertEquals(0, entries.count(), "nothing created");
    }
    assertFalse(store.exists(id));
    assertThrows(MediumException.class, () -> store.open(id));
  }

  @Test
  void invalidGeometryIsRefused() {
    MediumException e =
        assertThrows(
            MediumException.class,
            () ->
                store.create(new MediumStore.Spec("BAD", "mo-640", 2000, 10, 0, false, "", null)));
    assertTrue(e.getMessage().contains("BAD"), e.getMessage());
    assertTrue(e.getMessage().contains("block size"), e.getMessage());
    assertThrows(
        MediumException.class,
        () -> store.create(new MediumStore.Spec("BAD", "mo-640", 2048, 0, 0, false, "", null)));
    assertThrows(
        MediumException.class,
        () -> store.create(new MediumStore.Spec("BAD", null, 2048, 10, 0, false, "", null)));
    assertFalse(store.exists("BAD"));
  }

  @Test
  void userAreaIsSparse() throws IOException {
    store.create(
        new MediumStore.Spec("MO-BIG", "mo-640", 2048, MO640_BLOCKS, 65536, false, "", null));
    Path image = dir.resolve("MO-BIG").resolve("user.img");
    long capacity = 2048L * MO640_BLOCKS;
    assertEquals(capacity, Files.size(image));
    OptionalLong allocated = allocatedBytes(image);
    assumeTrue(allocated.isPresent(), "cannot read allocated size on this system");
    assertTrue(
        allocated.getAsLong() < 1 << 20,
        "a fresh " + capacity + "-byte image allocates " + allocated.getAsLong() + " bytes");
  }

  /** Bytes the file system allocated to {@code file}, when the platform can tell. */
  static OptionalLong allocatedBytes(Path file) {
    try {
      Object blocks = Files.getAttribute(file, "unix:blocks");
      if (blocks instanceof Number n) {
        return OptionalLong.of(n.longValue() * 512);
      }
    } catch (IllegalArgumentException | UnsupportedOperationException | IOException e) {
      // not offered by this JDK; ask stat(1)
    }
    try {
      Process stat =
          new ProcessBuilder("stat", "-c", "%b %B", file.toString())
              .redirectErrorStream(true)
              .start();
      String out;
      try (InputStream in = stat.getInputStream()) {
        out = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
      }
      if (stat.waitFor() == 0) {
        String[] parts = out.split("\\s+");
        return OptionalLong.of(Long.parseLong(parts[0]) * Long.parseLong(parts[1]));
      }
    } catch (IOException | RuntimeException e) {
      // no stat(1)
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return OptionalLong.empty();
  }

  @Test
  void contentFillsTheStartOfTheUserArea() throws IOException {
    byte[] content = new byte[3 * 2048 + 100];
    Arrays.fill(content, (byte) 0x42);
    Path file = root.resolve("content.bin");
    Files.write(file, content);
    store.create(new MediumStore.Spec("MO-C", "mo-640", 2048, 16, 0, false, "", file));
    assertEquals(2048L * 16, Files.size(dir.resolve("MO-C").resolve("user.img")));
    try (Medium medium = store.open("MO-C")) {
      ByteBuffer all = ByteBuffer.allocate(2048 * 16);
      medium.read(0, all);
      assertArrayEquals(content, Arrays.copyOf(all.array(), content.length));
      assertArrayEquals(
          new byte[all.capacity() - content.length],
          Arrays.copyOfRange(all.array(), content.length, all.capacity()));
    }
  }

  @Test
  void contentLargerThanTheCapacityIsRefused() throws IOException {
    Path file = root.resolve("too-big.bin");
    Files.write(file, new byte[2048 * 16 + 1]);
    MediumException e =
        assertThrows(
            MediumException.class,
            () ->
                store.create(new MediumStore.Spec("MO-C", "mo-640", 2048, 16, 0, false, "", file)));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains(String.valueOf(2048 * 16 + 1)), e.getMessage());
    assertTrue(e.getMessage().contains(String.valueOf(2048 * 16)), e.getMessage());
    assertFalse(store.exists("MO-C"));
    try (var entries = Files.list(dir)) {
      assertEquals(0, entries.count(), "no staging directory left behind");
    }
    Path missing = root.resolve("missing.bin");
    MediumException none =
        assertThrows(
            MediumException.class,
            () ->
                store.create(
                    new MediumStore.Spec("MO-C", "mo-640", 2048, 16, 0, false, "", missing)));
    assertTrue(none.getMessage().contains("does not exist"), none.getMessage());
  }

  // ------------------------------------------------------------------ open, persist

  @Test
  void dataPersistsAcrossCloseAndReopen() throws IOException {
    store.create(spec("MO-0001"));
    byte[] data = new byte[2 * 2048];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (i * 13 + 1);
    }
    try (Medium medium = store.open("MO-0001")) {
      medium.write(100, ByteBuffer.wrap(data));
      medium.force();
    }
    MediumStore again = MediumStore.open(dir);
    try (Medium medium = again.open("MO-0001")) {
      ByteBuffer read = ByteBuffer.allocate(data.length);
      medium.read(100, read);
      assertArrayEquals(data, read.array());
      ByteBuffer before = ByteBuffer.allocate(2048);
      medium.read(99, before);
      assertArrayEquals(new byte[2048], before.array());
    }
  }

  @Test
  void writeProtectIsPersistedInTheMetadata() throws IOException {
    store.create(spec("MO-0001"));
    try (Medium medium = store.open("MO-0001")) {
      assertFalse(medium.metadata().readOnly());
      medium.setWriteProtected(true);
      assertTrue(medium.metadata().writeProtected());
      assertTrue(medium.metadata().readOnly());
    }
    String json =
        Files.readString(dir.resolve("MO-0001").resolve("medium.json"), StandardCharsets.UTF_8);
    assertTrue(json.matches("(?s).*\"writeProtected\"\\s*:\\s*true.*"), json);
    assertTrue(store.info("MO-0001").writeProtected());
    try (Medium medium = store.open("MO-0001")) {
      assertTrue(medium.metadata().writeProtected());
      medium.setWriteProtected(false);
    }
    assertFalse(store.info("MO-0001").writeProtected());
    assertFalse(store.info("MO-0001").pressed());
  }

  @Test
  void pressedMediaOpenReadOnly() throws IOException {
    store.create(pressed("CD-0001"));
    Path image = dir.resolve("CD-0001").resolve("user.img");
    try (FileChannel channel = FileChannel.open(image, StandardOpenOption.WRITE)) {
      channel.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 0);
    }
    try (Medium medium = store.open("CD-0001")) {
      assertTrue(medium.metadata().pressed());
      assertTrue(medium.metadata().readOnly());
      ByteBuffer read = ByteBuffer.allocate(4);
      medium.read(0, read);
      assertArrayEquals(new byte[] {1, 2, 3, 0}, read.array());
      assertThrows(
          NonWritableChannelException.class,
          () -> medium.write(0, ByteBuffer.wrap(new byte[2048])));
      MediumException tab =
          assertThrows(MediumException.class, () -> medium.setWriteProtected(true));
      assertTrue(tab.getMessage().contains("pressed"), tab.getMessage());
    }
    byte[] first = new byte[4];
    try (InputStream in = Files.newInputStream(image)) {
      assertEquals(4, in.read(first));
    }
    assertArrayEquals(new byte[] {1, 2, 3, 0}, first, "image unchanged");
    assertFalse(store.info("CD-0001").writeProtected());
  }

  @Test
  void openingTwiceIsRefused() throws IOException {
    store.create(spec("MO-0001"));
    try (Medium first = store.open("MO-0001")) {
      MediumException e = assertThrows(MediumException.class, () -> store.open("MO-0001"));
      assertTrue(e.getMessage().contains("MO-0001"), e.getMessage());
      assertTrue(e.getMessage().contains("already loaded"), e.getMessage());
      assertEquals("MO-0001", first.id());
    }
    store.open("MO-0001").close(); // the lock went with the first close
  }

  @Test
  void openingAPressedMediumTwiceIsRefusedToo() throws IOException {
    store.create(pressed("CD-0001"));
    try (Medium first = store.open("CD-0001")) {
      MediumException e = assertThrows(MediumException.class, () -> store.open("CD-0001"));
      assertTrue(e.getMessage().contains("already loaded"), e.getMessage());
    }
  }

  @Test
  void unknownMediumIsNamed() {
    MediumException e = assertThrows(MediumException.class, () -> store.open("NOPE"));
    assertTrue(e.getMessage().contains("NOPE"), e.getMessage());
    assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
    assertThrows(MediumException.class, () -> store.info("NOPE"));
    assertFalse(store.exists("NOPE"));
    assertTrue(store.find("NOPE").isEmpty());
  }

  // ------------------------------------------------------------------ corruption

  @Test
  void garbageMetadataIsCorrupt() throws IOException {
    store.create(spec("MO-0001"));
    Path json = dir.resolve("MO-0001").resolve("medium.json");
    Files.writeString(json, "this is {not json");
    assertCorrupt("MO-0001", json);
  }

  @Test
  void metadataWithAMissingFieldIsCorrupt() throws IOException {
    store.create(spec("MO-0001"));
    Path json = dir.resolve("MO-0001").resolve("medium.json");
    String text = Files.readString(json);
    String without = text.replaceAll("\"blockSize\"\\s*:\\s*2048\\s*,", "");
    assertNotEquals(text, without);
    Files.writeString(json, without);
    MediumException e = assertCorrupt("MO-0001", json);
    assertTrue(e.getMessage().contains("blockSize"), e.getMessage());
  }

  @Test
  void metadataNamingAnotherMediumIsCorrupt() throws IOException {
    store.create(spec("MO-0001"));
    Path json = dir.resolve("MO-0001").resolve("medium.json");
    Files.writeString(json, Files.readString(json).replace("\"MO-0001\"", "\"MO-0002\""));
    MediumException e = assertCorrupt("MO-0001", json);
    assertTrue(e.getMessage().contains("MO-0002"), e.getMessage());
  }

  @Test
  void metadataWithAnInvalidValueIsCorrupt() throws IOException {
    store.create(spec("MO-0001"));
    Path json = dir.resolve("MO-0001").resolve("medium.json");
    Files.writeString(
        json,
        Files.readString(json).replaceAll("\"blockCount\"\\s*:\\s*1024", "\"blockCount\" : -5"));
    MediumException e = assertCorrupt("MO-0001", json);
    assertTrue(e.getMessage().contains("block count"), e.getMessage());
  }

  @Test
  void missingMetadataIsNamed() throws IOException {
    store.create(spec("MO-0001"));
    Path json = dir.resolve("MO-0001").resolve("medium.json");
    Files.delete(json);
    MediumException e = assertThrows(MediumException.class, () -> store.open("MO-0001"));
    assertTrue(e.getMessage().contains(json.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("missing"), e.getMessage());
    assertTrue(store.list().isEmpty(), "a directory without metadata is not a medium");
  }

  private MediumException assertCorrupt(String id, Path json) {
    MediumException open = assertThrows(MediumException.class, () -> store.open(id));
    assertTrue(open.getMessage().contains(json.toString()), open.getMessage());
    assertTrue(open.getMessage().contains("corrupt"), open.getMessage());
    MediumException info = assertThrows(MediumException.class, () -> store.info(id));
    assertEquals(open.getMessage(), info.getMessage());
    return open;
  }

  @Test
  void truncatedUserAreaIsNamedWithItsSizes() throws IOException {
    store.create(spec("MO-0001"));
    Path image = dir.resolve("MO-0001").resolve("user.img");
    try (FileChannel channel = FileChannel.open(image, StandardOpenOption.WRITE)) {
      channel.truncate(2048 * 1000);
    }
    MediumException e = assertThrows(MediumException.class, () -> store.open("MO-0001"));
    assertTrue(e.getMessage().contains(image.toString()), e.getMessage());
    assertTrue(e.getMessage().contains(String.valueOf(2048 * 1000)), e.getMessage());
    assertTrue(e.getMessage().contains(String.valueOf(2048 * 1024)), e.getMessage());
  }

  @Test
  void missingOrResizedSecureAreaIsNamed() throws IOException {
    store.create(spec("MO-0001"));
    Path secure = dir.resolve("MO-0001").resolve("secure.bin");
    Files.write(secure, new byte[100]);
    MediumException resized = assertThrows(MediumException.class, () -> store.open("MO-0001"));
    assertTrue(resized.getMessage().contains(secure.toString()), resized.getMessage());
    assertTrue(resized.getMessage().contains("4096"), resized.getMessage());
    Files.delete(secure);
    MediumException missing = assertThrows(MediumException.class, () -> store.open("MO-0001"));
    assertTrue(missing.getMessage().contains(secure.toString()), missing.getMessage());
    assertTrue(missing.getMessage().contains("missing"), missing.getMessage());
  }

  // ------------------------------------------------------------------ the directory

  @Test
  void missingMediaDirectoryIsRefused() throws IOException {
    Path nowhere = root.resolve("nowhere");
    MediumException e = assertThrows(MediumException.class, () -> MediumStore.open(nowhere));
    assertTrue(e.getMessage().contains(nowhere.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    assertFalse(Files.exists(nowhere));

    Path file = Files.writeString(root.resolve("plain-file"), "x");
    MediumException notDirectory =
        assertThrows(MediumException.class, () -> MediumStore.open(file));
    assertTrue(notDirectory.getMessage().contains("not a directory"), notDirectory.getMessage());
  }

  @Test
  void openOrCreateMakesTheDirectory() {
    Path deep = root.resolve("a").resolve("b");
    MediumStore created = MediumStore.openOrCreate(deep);
    assertTrue(Files.isDirectory(deep));
    assertEquals(deep, created.directory());
    assertTrue(created.list().isEmpty());
  }

  @Test
  void listSkipsStagingAndForeignEntries() throws IOException {
    store.create(spec("ZZ-LAST"));
    store.create(spec("AA-FIRST"));
    // a crash during create leaves a staging directory with a complete-looking medium
    Path staging = dir.resolve(".MO-9.creating-12345");
    Files.createDirectories(staging);
    Files.copy(dir.resolve("AA-FIRST").resolve("medium.json"), staging.resolve("medium.json"));
    Files.createDirectories(dir.resolve("not-a-medium"));
    Files.writeString(dir.resolve("README"), "hello");
    List<MediumMetadata> media = store.list();
    assertEquals(List.of("AA-FIRST", "ZZ-LAST"), media.stream().map(MediumMetadata::id).toList());
  }

  // ------------------------------------------------------------------ secure area

  @Test
  void secureAreaRoundTripsAndChecksItsSize() throws IOException {
    store.create(spec("MO-0001"));
    byte[] content = new byte[4096];
    for (int i = 0; i < content.length; i++) {
      content[i] = (byte) (i ^ 0x5C);
    }
    try (Medium medium = store.open("MO-0001")) {
      assertArrayEquals(new byte[4096], medium.readSecureArea());
      medium.writeSecureArea(content);
      assertArrayEquals(content, medium.readSecureArea());
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class, () -> medium.writeSecureArea(new byte[4095]));
      assertTrue(e.getMessage().contains("4096"), e.getMessage());
      assertTrue(e.getMessage().contains("4095"), e.getMessage());
      assertArrayEquals(content, medium.readSecureArea(), "unchanged after a refused write");
    }
    try (Medium medium = store.open("MO-0001")) {
      assertArrayEquals(content, medium.readSecureArea(), "persisted");
    }
    try (var entries = Files.list(dir.resolve("MO-0001"))) {
      assertEquals(
          Set.of("medium.json", "user.img", "secure.bin"),
          entries.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet()),
          "no temporary files left behind");
    }
  }

  @Test
  void everySecureAreaWriteRaisesTheMediumsCounterAndDamageKeepsIt() throws IOException {
    store.create(spec("MO-0001"));
    Path file = dir.resolve("MO-0001").resolve("secure.bin");
    byte[] content = new byte[4096];
    content[7] = 7;
    try (Medium medium = store.open("MO-0001")) {
      assertEquals(0, medium.secureAreaWriteCounter(), "a new medium: the area alone, counter 0");
      assertEquals(4096, Files.size(file));
      assertEquals(1, medium.writeSecureArea(content));
      assertEquals(2, medium.writeSecureArea(content), "the same bytes again are another write");
      assertEquals(4096 + 12, Files.size(file), "the area, then SDWC and the u64 counter");
      medium.eraseSecureArea();
      assertArrayEquals(new byte[4096], medium.readSecureArea(), "erased");
      assertEquals(2, medium.secureAreaWriteCounter(), "damage is not a write");
    }
    try (Medium medium = store.open("MO-0001")) {
      assertEquals(2, medium.secureAreaWriteCounter(), "persisted with the area");
      assertEquals(3, medium.writeSecureArea(content));
      byte[] bytes = Files.readAllBytes(file);
      bytes[4096] = 'X'; // the trailer's magic
      Files.write(file, bytes);
      IOException e = assertThrows(IOException.class, medium::secureAreaWriteCounter);
      assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }
  }

  @Test
  void theCounterIsAnchoredOutsideTheMediaDirectoryAndACopyPutBackIsBehindIt() throws IOException {
    Path anchors = root.resolve("anchors");
    store.anchoringCounters(anchors).create(spec("MO-0001"));
    Path file = dir.resolve("MO-0001").resolve("secure.bin");
    Path anchor = anchors.resolve("MO-0001.writes");
    byte[] content = new byte[4096];
    try (Medium medium = store.open("MO-0001")) {
      assertEquals(-1, medium.readSecureAreaImage().anchoredCounter(), "nothing written yet");
      medium.writeSecureArea(content);
      byte[] copy = Files.readAllBytes(file); // the area and its counter, write 1
      medium.writeSecureArea(content);
      medium.eraseSecureArea();
      Medium.SecureAreaImage now = medium.readSecureAreaImage();
      assertEquals(2, now.anchoredCounter(), "raised by the writes, kept by damage");
      assertFalse(now.behindItsAnchor());
      assertEquals(
          PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(anchor));
      Files.write(file, copy);
      Medium.SecureAreaImage putBack = medium.readSecureAreaImage();
      assertEquals(1, putBack.writeCounter());
      assertTrue(putBack.behindItsAnchor(), "the copy put back is behind its anchor");
      Files.delete(anchor); // a crash before the anchor's write leaves it behind: no refusal
      assertFalse(medium.readSecureAreaImage().behindItsAnchor());
      assertEquals(2, medium.writeSecureArea(content));
      assertEquals(2, medium.readSecureAreaImage().anchoredCounter());
      Files.setPosixFilePermissions(anchor, PosixFilePermissions.fromString("rw-r--r--"));
      IOException loose = assertThrows(IOException.class, medium::readSecureAreaImage);
      assertTrue(loose.getMessage().contains("chmod 600"), loose.getMessage());
    }
  }
}
