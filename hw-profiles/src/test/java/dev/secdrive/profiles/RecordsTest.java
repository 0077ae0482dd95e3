package dev.secdrive.profiles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The records check their own invariants, for profiles made in code. */
class RecordsTest {
  private static final Identity ID = new Identity("SECDRIVE", "TEST", "1.0", 0, true);
  private static final Timing TIMING = new Timing(0, 0, 1, 1);
  private static final MediumType A = new MediumType("a", "A", 512, 10, false);
  private static final List<String> SETS = List.of("spc");
  private static final List<String> COMMANDS = List.of("INQUIRY");

  @Test
  void listsAreCopied() {
    List<MediumType> media = new ArrayList<>(List.of(A));
    DriveProfile p = new DriveProfile("p", "P", ID, media, 0, TIMING, false, SETS, COMMANDS);
    media.add(new MediumType("b", "B", 512, 1, false));
    assertEquals(List.of(A), p.media());
    assertEquals(A, p.defaultMedium());
  }

  @Test
  void profileInvariants() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new DriveProfile("p", "P", ID, List.of(), 0, TIMING, false, SETS, COMMANDS));
    assertThrows(
        IllegalArgumentException.class,
        () -> new DriveProfile("p", "P", ID, List.of(A, A), 0, TIMING, false, SETS, COMMANDS));
    assertThrows(
        NullPointerException.class,
        () -> new DriveProfile("p", "P", null, List.of(A), 0, TIMING, false, SETS, COMMANDS));
  }

  @Test
  void identityInvariants() {
    assertThrows(
        IllegalArgumentException.class, () -> new Identity("SECDRIVE1", "T", "1", 0, true));
    assertThrows(IllegalArgumentException.class, () -> new Identity("V", "T\n", "1", 0, true));
    assertThrows(IllegalArgumentException.class, () -> new Identity("V", "T", "12345", 0, true));
    assertThrows(IllegalArgumentException.class, () -> new Identity("V", "T", "1", 32, true));
  }

  @Test
  void mediumAndTimingInvariants() {
    assertThrows(IllegalArgumentException.class, () -> new MediumType("a", "A", 500, 1, false));
    assertThrows(IllegalArgumentException.class, () -> new MediumType("a", "A", 512, 0, false));
    assertThrows(IllegalArgumentException.class, () -> new Timing(-1, 0, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> new Timing(0, 0, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> new Timing(0, Double.NaN, 1, 1));
    assertEquals(
        2352L * 3_000_000_000L,
        new MediumType("x", "X", 2352, 3_000_000_000L, true).capacityBytes());
  }
}
