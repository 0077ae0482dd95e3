package dev.secdrive.host.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DriveUriTest {

  @Test
  void fullForm() {
    DriveUri uri = DriveUri.parse("tcp://127.0.0.1:7141/3");
    assertEquals(new DriveUri("tcp", "127.0.0.1", 7141, 3, Duration.ofSeconds(30)), uri);
    assertEquals("tcp://127.0.0.1:7141/3", uri.toString());
  }

  @Test
  void portAndLunDefault() {
    DriveUri bare = DriveUri.parse("tcp://drive.example");
    assertEquals("drive.example", bare.host());
    assertEquals(7140, bare.port());
    assertEquals(DriveUri.DEFAULT_PORT, bare.port());
    assertEquals(0, bare.lun());
    assertEquals(DriveUri.DEFAULT_TIMEOUT, bare.timeout());
    assertEquals(Duration.ofSeconds(30), bare.timeout());
    assertEquals("tcp://drive.example:7140/0", bare.toString());

    assertEquals(0, DriveUri.parse("tcp://drive.example/").lun());
    assertEquals(7140, DriveUri.parse("tcp://drive.example:/9").port());
    assertEquals(9, DriveUri.parse("tcp://drive.example:/9").lun());
  }

  @Test
  void lunAndPortBounds() {
    assertEquals(255, DriveUri.parse("tcp://h:1/255").lun());
    assertEquals(1, DriveUri.parse("tcp://h:1/255").port());
    assertEquals(65535, DriveUri.parse("tcp://h:65535/0").port());
    assertEquals(0, DriveUri.parse("tcp://h/0").lun());
  }

  @Test
  void ipv6LiteralHostHasNoBrackets() {
    DriveUri uri = DriveUri.parse("tcp://[::1]:7141/2");
    assertEquals("::1", uri.host());
    assertEquals(7141, uri.port());
    assertEquals(2, uri.lun());
    assertEquals("tcp://[::1]:7141/2", uri.toString());

    DriveUri defaults = DriveUri.parse("tcp://[fe80::1]");
    assertEquals("fe80::1", defaults.host());
    assertEquals("tcp://[fe80::1]:7140/0", defaults.toString());
  }

  @ParameterizedTest
  @CsvSource({
    "500ms, PT0.5S",
    "1ms, PT0.001S",
    "30s, PT30S",
    "2m, PT2M",
    "999999999m, PT16666666H39M"
  })
  void timeouts(String text, Duration expected) {
    DriveUri uri = DriveUri.parse("tcp://127.0.0.1:7140/0?timeout=" + text);
    assertEquals(expected, uri.timeout());
    assertEquals("tcp://127.0.0.1:7140/0", uri.toString(), "toString leaves the timeout out");
  }

  @Test
  void lastTimeoutWins() {
    assertEquals(
        Duration.ofMillis(250), DriveUri.parse("tcp://h/0?timeout=2m&timeout=250ms").timeout());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "//127.0.0.1:7140/0 | no scheme; expected tcp://host:port/lun",
        "udp://127.0.0.1:7140/0 | unsupported scheme 'udp' (supported: tcp, serial, iscsi)",
        "http://127.0.0.1/0 | unsupported scheme 'http' (supported: tcp, serial, iscsi)",
        "localhost:7140/0 | unsupported scheme 'localhost' (supported: tcp, serial, iscsi)",
        "tcp:///0 | no host; expected tcp://host:port/lun",
        "tcp:/0 | no host; expected tcp://host:port/lun",
        "tcp:drive | no host; expected tcp://host:port/lun",
        "tcp://127.0.0.1:abc/0 | bad host or port '127.0.0.1:abc'",
        "tcp://bad_host/0 | bad host or port 'bad_host'",
        "tcp://127.0.0.1:0/0 | port 0 outside 1..65535",
        "tcp://127.0.0.1:65536/0 | port 65536 outside 1..65535",
        "tcp://127.0.0.1:99999/0 | port 99999 outside 1..65535",
        "tcp://127.0.0.1:7140/256 | LUN '256' is not a number in 0..255",
        "tcp://127.0.0.1:7140/1000 | LUN '1000' is not a number in 0..255",
        "tcp://127.0.0.1:7140/abc | LUN 'abc' is not a number in 0..255",
        "tcp://127.0.0.1:7140/-1 | LUN '-1' is not a number in 0..255",
        "tcp://127.0.0.1:7140/0/1 | LUN '0/1' is not a number in 0..255",
        "tcp://127.0.0.1:7140/0?lun=1 | unknown parameter 'lun' (known: timeout)",
        "tcp://127.0.0.1:7140/0?timeout=5s&retries=3 | unknown parameter 'retries' (known: timeout)",
        "tcp://127.0.0.1:7140/0?timeout=5h | timeout '5h' is not a duration like 500ms, 30s or 2m",
        "tcp://127.0.0.1:7140/0?timeout=1.5s | timeout '1.5s' is not a duration like 500ms, 30s or"
            + " 2m",
        "tcp://127.0.0.1:7140/0?timeout=-1s | timeout '-1s' is not a duration like 500ms, 30s or"
            + " 2m",
        "tcp://127.0.0.1:7140/0?timeout=30 | timeout '30' is not a duration like 500ms, 30s or 2m",
        "tcp://127.0.0.1:7140/0?timeout | timeout '' is not a duration like 500ms, 30s or 2m",
        "tcp://127.0.0.1:7140/0?timeout=0ms | timeout must be positive",
        "tcp://127.0.0.1:7140/0?timeout=0s | timeout must be positive",
        "tcp://127.0.0.1:7140/0?timeout=0m | timeout must be positive",
        "tcp://127.0.0.1:7140/0#top | fragments are not supported",
        "tcp://user@127.0.0.1:7140/0 | user information is not supported",
        "tcp://user:secret@127.0.0.1/0 | user information is not supported",
        "tcp://127.0.0.1:7140/0 x | Illegal character in path at index 22",
        "tcp://[::1/0 | Expected closing bracket for IPv6 address at index 10",
        "127.0.0.1:7140/0 | Illegal character in scheme name at index 0",
      })
  void rejections(String text, String reason) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> DriveUri.parse(text));
    assertEquals("invalid drive URI '" + text + "': " + reason, e.getMessage());
  }

  @Test
  void driveOpenRejectsBeforeConnecting() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Drive.open("tcp://127.0.0.1:7140/300"));
    assertEquals(
        "invalid drive URI 'tcp://127.0.0.1:7140/300': LUN '300' is not a number in 0..255",
        e.getMessage());
  }

  // ---------------------------------------------------------------- iscsi://

  private static final String IQN = "iqn.2026-12.dev.secdrive:emulator";

  @Test
  void iscsiFullFormAndDefaults() {
    DriveUri uri = DriveUri.parse("iscsi://127.0.0.1:13260/" + IQN + "/1?timeout=5s");
    assertTrue(uri.isIscsi());
    assertEquals("127.0.0.1", uri.host());
    assertEquals(13260, uri.port());
    assertEquals(1, uri.lun());
    assertEquals(Duration.ofSeconds(5), uri.timeout());
    assertEquals(IQN, uri.iscsi().targetName());
    assertTrue(uri.iscsi().chap().isEmpty());
    assertEquals(DriveUri.Digest.EITHER, uri.iscsi().digest());
    assertEquals("None,CRC32C", uri.iscsi().digest().offer());
    assertEquals("iscsi://127.0.0.1:13260/" + IQN + "/1", uri.toString());

    DriveUri bare = DriveUri.parse("iscsi://[::1]/" + IQN + "/16383");
    assertEquals(DriveUri.DEFAULT_ISCSI_PORT, bare.port());
    assertEquals(3260, bare.port());
    assertEquals("::1", bare.host());
    assertEquals(16383, bare.lun());
    assertEquals("iscsi://[::1]:3260/" + IQN + "/16383", bare.toString());
    assertEquals(
        DriveUri.Digest.CRC32C,
        DriveUri.parse("iscsi://h/" + IQN + "/0?digest=crc32c").iscsi().digest());
    assertEquals(
        DriveUri.Digest.NONE,
        DriveUri.parse("iscsi://h/" + IQN + "/0?digest=none").iscsi().digest());
  }

  @ParameterizedTest
  @CsvSource({
    "iqn.2026-12.dev.secdrive:emulator",
    "iqn.1992-01.com.example",
    "iqn.2001-04.com.example:storage:diskarrays-sn-a8675309",
    "iqn.2001-04.com.example:storage.tape1.sys1.xyz",
    "eui.02004567A425678D",
    "naa.52004567BA64678D",
    "naa.62004567BA64678D0123456789ABCDEF",
  })
  void iscsiNamesOfRfc3720(String name) {
    assertEquals(name, DriveUri.parse("iscsi://h/" + name + "/0").iscsi().targetName());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "iscsi://h | no target name; expected iscsi://host:port/iqn.YYYY-MM.domain:name/lun",
        "iscsi://h/ | no target name; expected iscsi://host:port/iqn.YYYY-MM.domain:name/lun",
        "iscsi://h/"
            + IQN
            + " | no LUN after the target name; expected"
            + " iscsi://host:port/TARGET-NAME/lun",
        "iscsi://h/" + IQN + "/16384 | LUN '16384' is not a number in 0..16383",
        "iscsi://h/" + IQN + "/x | LUN 'x' is not a number in 0..16383",
        "iscsi://h//0 | no target name; expected iqn.YYYY-MM.domain[:name], eui. or naa.",
        "iscsi://h/iqn.2026-13.dev.secdrive/0 | target name 'iqn.2026-13.dev.secdrive' is not an"
            + " iSCSI name: expected iqn.YYYY-MM.reversed.domain[:name] in lower case (RFC 3720"
            + " 3.2.6.3)",
        "iscsi://h/iqn.2026-12.Dev.Secdrive/0 | target name 'iqn.2026-12.Dev.Secdrive' is not an"
            + " iSCSI name: expected iqn.YYYY-MM.reversed.domain[:name] in lower case (RFC 3720"
            + " 3.2.6.3)",
        "iscsi://h/iqn.26-12.dev/0 | target name 'iqn.26-12.dev' is not an iSCSI name: expected"
            + " iqn.YYYY-MM.reversed.domain[:name] in lower case (RFC 3720 3.2.6.3)",
        "iscsi://h/disk1/0 | target name 'disk1' is not an iSCSI name: expected"
            + " iqn.YYYY-MM.reversed.domain[:name] in lower case (RFC 3720 3.2.6.3)",
        "iscsi://h/eui.02004567A425678/0 | target name 'eui.02004567A425678' is not an iSCSI name:"
            + " expected eui. and 16 upper-case hex digits",
        "iscsi://h/naa.5200/0 | target name 'naa.5200' is not an iSCSI name: expected naa. and 16"
            + " or 32 upper-case hex digits",
        "iscsi://h:0/" + IQN + "/0 | port 0 outside 1..65535",
        "iscsi://u@h/" + IQN + "/0 | user information is not supported",
        "iscsi:///" + IQN + "/0 | no host; expected iscsi://host:port/iqn.YYYY-MM.domain:name/lun",
        "iscsi://h/"
            + IQN
            + "/0?retries=1 | unknown parameter 'retries' (known: chap_name,"
            + " chap_secret_file, chap_secret, target_chap_name, target_chap_secret_file,"
            + " target_chap_secret, digest, timeout)",
        "iscsi://h/" + IQN + "/0?digest=md5 | digest 'md5' is not crc32c or none",
        "iscsi://h/" + IQN + "/0?chap_name=a | chap_name without chap_secret_file or chap_secret",
        "iscsi://h/" + IQN + "/0?chap_secret=*** | a CHAP secret without chap_name",
        "iscsi://h/" + IQN + "/0?chap_name=a&chap_name=b | parameter 'chap_name' given twice",
        "iscsi://h/"
            + IQN
            + "/0?chap_name= | chap_name is empty, longer than 255 characters or"
            + " holds a NUL",
        "iscsi://h/" + IQN + "/0?chap_name=a&chap_secret= | chap_secret is empty",
        "iscsi://h/"
            + IQN
            + "/0?target_chap_name=t&target_chap_secret=*** | mutual CHAP"
            + " (target_chap_name) needs chap_name and its secret too",
        "iscsi://h/"
            + IQN
            + "/0?chap_name=a&chap_secret=***&target_chap_name=t | target_chap_name"
            + " without target_chap_secret_file or target_chap_secret",
        "iscsi://h/"
            + IQN
            + "/0?chap_name=a&chap_secret=***&target_chap_secret=*** | a target"
            + " CHAP secret without target_chap_name",
        "iscsi://h/"
            + IQN
            + "/0?chap_name=a&chap_secret=***&chap_secret_file=/x | chap_secret and"
            + " chap_secret_file are given together",
        "iscsi://h/"
            + IQN
            + "/0?chap_name=a&chap_secret_file=/nonexistent/secret |"
            + " chap_secret_file /nonexistent/secret does not exist",
      })
  void iscsiRejections(String text, String reason) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> DriveUri.parse(text.replace("***", "s3cret-value")));
    assertEquals("invalid drive URI '" + text + "': " + reason, e.getMessage());
    assertFalse(e.getMessage().contains("s3cret-value"), "a secret in a message");
  }

  @Test
  void iscsiSecretsNeverShow(@TempDir Path directory) throws Exception {
    Path file = directory.resolve("chap");
    Files.writeString(file, "file-secret-1234\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    DriveUri uri =
        DriveUri.parse(
            "iscsi://h/"
                + IQN
                + "/0?chap_name=host&chap_secret_file="
                + file
                + "&target_chap_name=tgt&target_chap_secret=query-secret-1234");
    assertEquals("host", uri.iscsi().chap().orElseThrow().name());
    assertEquals("file-secret-1234", new String(uri.iscsi().chap().get().secret(), "UTF-8"));
    assertEquals("tgt", uri.iscsi().targetChap().orElseThrow().name());
    for (String shown :
        new String[] {uri.toString(), uri.iscsi().toString(), String.valueOf(uri)}) {
      assertFalse(shown.contains("secret-1234"), shown);
    }
    assertEquals("iscsi://h:3260/" + IQN + "/0", uri.toString());

    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
    IllegalArgumentException loose =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                DriveUri.parse("iscsi://h/" + IQN + "/0?chap_name=host&chap_secret_file=" + file));
    assertTrue(loose.getMessage().contains(file.toString()), loose::getMessage);
    assertFalse(loose.getMessage().contains("file-secret"), loose::getMessage);

    Files.writeString(file, "same-secret-1234");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    IllegalArgumentException same =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                DriveUri.parse(
                    "iscsi://h/"
                        + IQN
                        + "/0?chap_name=host&chap_secret_file="
                        + file
                        + "&target_chap_name=tgt&target_chap_secret=same-secret-1234"));
    assertTrue(
        same.getMessage()
            .endsWith(
                "the initiator's and the target's CHAP secrets are the same (RFC 7143 12.1.3)"),
        same::getMessage);
    assertFalse(same.getMessage().contains("same-secret-1234"), same::getMessage);
  }
}
