package dev.secdrive.host.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;
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
        "udp://127.0.0.1:7140/0 | unsupported scheme 'udp' (supported: tcp, serial)",
        "http://127.0.0.1/0 | unsupported scheme 'http' (supported: tcp, serial)",
        "localhost:7140/0 | unsupported scheme 'localhost' (supported: tcp, serial)",
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
}
