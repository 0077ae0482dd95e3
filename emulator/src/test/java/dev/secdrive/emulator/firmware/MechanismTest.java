package dev.secdrive.emulator.firmware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.emulator.firmware.Mechanism.Effect;
import dev.secdrive.emulator.media.Medium;
import dev.secdrive.emulator.media.MediumStore;
import dev.secdrive.protocol.sense.SenseData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The loading mechanism's state table, every state against every event. */
class MechanismTest {

  private static final long NOW = 5_000_000_000L;
  private static final long LOAD = 2_000_000_000L;

  @TempDir static Path dir;
  private static Medium medium;
  private static Medium other;

  @BeforeAll
  static void media() {
    MediumStore store = MediumStore.openOrCreate(dir.resolve("media"));
    store.create(new MediumStore.Spec("M1", "mo-640", 2048, 64, 0, false, null, null));
    store.create(new MediumStore.Spec("M2", "mo-640", 2048, 64, 0, false, null, null));
    medium = store.open("M1");
    other = store.open("M2");
  }

  @AfterAll
  static void close() throws IOException {
    medium.close();
    other.close();
  }

  /** Where a row of the table starts. */
  enum From {
    NO_MEDIUM,
    TRAY_OPEN_EMPTY,
    TRAY_OPEN_WITH_MEDIUM,
    BECOMING_READY,
    READY,
    STOPPED
  }

  enum Event {
    INSERT,
    REMOVE,
    REMOVE_FORCED,
    EJECT,
    LOAD,
    START,
    STOP,
    SPIN_UP_COMPLETE;

    DriveEvent event() {
      return switch (this) {
        case INSERT -> new DriveEvent.Insert(other);
        case REMOVE -> new DriveEvent.Remove(false);
        case REMOVE_FORCED -> new DriveEvent.Remove(true);
        case EJECT -> new DriveEvent.Eject();
        case LOAD -> new DriveEvent.Load();
        case START -> new DriveEvent.Start();
        case STOP -> new DriveEvent.Stop();
        case SPIN_UP_COMPLETE -> new DriveEvent.SpinUpComplete();
      };
    }
  }

  /** What a row expects. */
  sealed interface Expect {}

  record To(DriveState state, Effect effect) implements Expect {}

  /** A host event refused with this sense. */
  record HostRefused(int key, int asc, int ascq) implements Expect {}

  /** A control event refused with a message containing this text. */
  record ControlRefused(String fragment) implements Expect {}

  static Mechanism in(From from, boolean tray) {
    Mechanism m = new Mechanism(tray);
    switch (from) {
      case NO_MEDIUM -> {}
      case TRAY_OPEN_EMPTY -> m.on(new DriveEvent.Eject(), false, NOW, LOAD);
      case TRAY_OPEN_WITH_MEDIUM -> {
        m.on(new DriveEvent.Insert(medium), false, NOW, 0);
        m.on(new DriveEvent.Eject(), false, NOW, 0);
      }
      case BECOMING_READY -> m.on(new DriveEvent.Insert(medium), false, NOW, LOAD);
      case READY -> m.on(new DriveEvent.Insert(medium), false, NOW, 0);
      case STOPPED -> {
        m.on(new DriveEvent.Insert(medium), false, NOW, 0);
        m.on(new DriveEvent.Stop(), false, NOW, 0);
      }
    }
    return m;
  }

  static Stream<Arguments> table() {
    List<Arguments> rows = new ArrayList<>();
    for (boolean tray : new boolean[] {false, true}) {
      int closedEmpty = tray ? 0x01 : 0x00;
      int openEmpty = tray ? 0x02 : 0x00;
      for (boolean prevented : new boolean[] {false, true}) {
        // NO MEDIUM
        add(
            rows,
            From.NO_MEDIUM,
            tray,
            prevented,
            Event.INSERT,
            to(DriveState.BECOMING_READY, Effect.MEDIUM_ARRIVED));
        add(rows, From.NO_MEDIUM, tray, prevented, Event.REMOVE, new ControlRefused("no medium"));
        add(
            rows,
            From.NO_MEDIUM,
            tray,
            prevented,
            Event.REMOVE_FORCED,
            new ControlRefused("no medium"));
        add(
            rows,
            From.NO_MEDIUM,
            tray,
            prevented,
            Event.EJECT,
            prevented
                ? new HostRefused(0x02, 0x53, 0x02)
                // a cartridge drive with an empty slot has no tray to open
                : to(tray ? DriveState.TRAY_OPEN : DriveState.NO_MEDIUM, Effect.NONE));
        add(
            rows,
            From.NO_MEDIUM,
            tray,
            prevented,
            Event.LOAD,
            to(DriveState.NO_MEDIUM, Effect.NONE));
        add(
            rows,
            From.NO_MEDIUM,
            tray,
            prevented,
            Event.START,
            new HostRefused(0x02, 0x3A, closedEmpty));
        add(
            rows,
            From.NO_MEDIUM,
            tray,
            prevented,
            Event.STOP,
            new HostRefused(0x02, 0x3A, closedEmpty));
        add(
            rows,
            From.NO_MEDIUM,
            tray,
            prevented,
            Event.SPIN_UP_COMPLETE,
            to(DriveState.NO_MEDIUM, Effect.NONE));

        // TRAY OPEN, EMPTY (only tray drives get there)
        From e = From.TRAY_OPEN_EMPTY;
        if (tray) {
          add(
              rows,
              e,
              tray,
              prevented,
              Event.INSERT,
              to(DriveState.BECOMING_READY, Effect.MEDIUM_ARRIVED));
          add(rows, e, tray, prevented, Event.REMOVE, new ControlRefused("no medium"));
          add(rows, e, tray, prevented, Event.REMOVE_FORCED, new ControlRefused("no medium"));
          add(rows, e, tray, prevented, Event.EJECT, to(DriveState.TRAY_OPEN, Effect.NONE));
          add(
              rows,
              e,
              tray,
              prevented,
              Event.LOAD,
              prevented
                  ? new HostRefused(0x05, 0x53, 0x02) // the locked tray does not close
                  : to(DriveState.NO_MEDIUM, Effect.NONE));
          add(rows, e, tray, prevented, Event.START, new HostRefused(0x02, 0x3A, openEmpty));
          add(rows, e, tray, prevented, Event.STOP, new HostRefused(0x02, 0x3A, openEmpty));
          add(
              rows,
              e,
              tray,
              prevented,
              Event.SPIN_UP_COMPLETE,
              to(DriveState.TRAY_OPEN, Effect.NONE));
        }

        // TRAY OPEN, MEDIUM IN IT (ejected by the host)
        From w = From.TRAY_OPEN_WITH_MEDIUM;
        add(rows, w, tray, prevented, Event.INSERT, new ControlRefused("remove it first"));
        add(rows, w, tray, prevented, Event.REMOVE, to(DriveState.TRAY_OPEN, Effect.NONE));
        add(rows, w, tray, prevented, Event.REMOVE_FORCED, to(DriveState.TRAY_OPEN, Effect.NONE));
        add(rows, w, tray, prevented, Event.EJECT, to(DriveState.TRAY_OPEN, Effect.NONE));
        add(
            rows,
            w,
            tray,
            prevented,
            Event.LOAD,
            prevented
                ? new HostRefused(0x05, 0x53, 0x02)
                : to(DriveState.BECOMING_READY, Effect.MEDIUM_ARRIVED));
        add(rows, w, tray, prevented, Event.START, new HostRefused(0x02, 0x3A, openEmpty));
        add(rows, w, tray, prevented, Event.STOP, new HostRefused(0x02, 0x3A, openEmpty));
        add(
            rows,
            w,
            tray,
            prevented,
            Event.SPIN_UP_COMPLETE,
            to(DriveState.TRAY_OPEN, Effect.NONE));

        // LOADED: BECOMING READY, READY and STOPPED share removal and eject
        for (From loaded : List.of(From.BECOMING_READY, From.READY, From.STOPPED)) {
          add(
              rows,
              loaded,
              tray,
              prevented,
              Event.INSERT,
              new ControlRefused("already holds medium M1"));
          add(
              rows,
              loaded,
              tray,
              prevented,
              Event.REMOVE,
              prevented
                  ? new ControlRefused("prevents medium removal")
                  : to(DriveState.TRAY_OPEN, Effect.MEDIUM_LEFT));
          add(
              rows,
              loaded,
              tray,
              prevented,
              Event.REMOVE_FORCED,
              to(DriveState.TRAY_OPEN, Effect.MEDIUM_LEFT));
          add(
              rows,
              loaded,
              tray,
              prevented,
              Event.EJECT,
              prevented
                  ? new HostRefused(0x05, 0x53, 0x02)
                  : to(DriveState.TRAY_OPEN, Effect.MEDIUM_LEFT));
          add(rows, loaded, tray, prevented, Event.STOP, to(DriveState.STOPPED, Effect.NONE));
        }
        add(
            rows,
            From.BECOMING_READY,
            tray,
            prevented,
            Event.LOAD,
            to(DriveState.BECOMING_READY, Effect.NONE));
        add(
            rows,
            From.BECOMING_READY,
            tray,
            prevented,
            Event.START,
            to(DriveState.BECOMING_READY, Effect.NONE));
        add(
            rows,
            From.BECOMING_READY,
            tray,
            prevented,
            Event.SPIN_UP_COMPLETE,
            to(DriveState.READY, Effect.NONE));
        add(rows, From.READY, tray, prevented, Event.LOAD, to(DriveState.READY, Effect.NONE));
        add(rows, From.READY, tray, prevented, Event.START, to(DriveState.READY, Effect.NONE));
        add(
            rows,
            From.READY,
            tray,
            prevented,
            Event.SPIN_UP_COMPLETE,
            to(DriveState.READY, Effect.NONE));
        // a stopped unit spins up again, without a new-medium effect
        add(
            rows,
            From.STOPPED,
            tray,
            prevented,
            Event.LOAD,
            to(DriveState.BECOMING_READY, Effect.NONE));
        add(
            rows,
            From.STOPPED,
            tray,
            prevented,
            Event.START,
            to(DriveState.BECOMING_READY, Effect.NONE));
        // STOPPED x SpinUpComplete: see stoppedUnitIgnoresTheClock (the event only comes from tick)
      }
    }
    return rows.stream();
  }

  private static To to(DriveState state, Effect effect) {
    return new To(state, effect);
  }

  private static void add(
      List<Arguments> rows,
      From from,
      boolean tray,
      boolean prevented,
      Event event,
      Expect expect) {
    rows.add(Arguments.of(from, tray ? "tray" : "cartridge", prevented, event, expect));
  }

  @ParameterizedTest(name = "{0} ({1}), prevented={2}: {3} -> {4}")
  @MethodSource("table")
  void transition(From from, String kind, boolean prevented, Event event, Expect expect) {
    Mechanism m = in(from, kind.equals("tray"));
    DriveState before = m.state();
    Medium held = m.medium();
    if (expect instanceof To to) {
      Effect effect;
      try {
        effect = m.onHost(event.event(), prevented, NOW, LOAD);
      } catch (CheckCondition e) {
        throw new AssertionError("refused: " + e.sense().describe(), e);
      }
      assertEquals(to.effect(), effect, "effect");
      assertEquals(to.state(), m.state(), "state");
      if (event == Event.INSERT) {
        assertSame(other, m.medium());
      } else {
        assertSame(held, m.medium(), "the medium stays until taken");
      }
    } else if (expect instanceof HostRefused refused) {
      CheckCondition error =
          assertThrows(CheckCondition.class, () -> m.onHost(event.event(), prevented, NOW, LOAD));
      SenseData sense = error.sense();
      assertEquals(
          String.format("%02X/%02X/%02X", refused.key(), refused.asc(), refused.ascq()),
          String.format("%02X/%02X/%02X", sense.key().code(), sense.asc(), sense.ascq()));
      assertEquals(before, m.state(), "a refusal changes nothing");
      assertSame(held, m.medium());
    } else {
      ControlRefused refused = (ControlRefused) expect;
      DriveControlException error =
          assertThrows(
              DriveControlException.class, () -> m.on(event.event(), prevented, NOW, LOAD));
      assertTrue(error.getMessage().contains(refused.fragment()), error.getMessage());
      assertEquals(before, m.state(), "a refusal changes nothing");
      assertSame(held, m.medium());
    }
  }

  @Test
  void theTableCoversEveryStateAndEvent() {
    var covered =
        table()
            .map(a -> a.get()[0] + "/" + a.get()[3])
            .collect(java.util.stream.Collectors.toSet());
    for (From from : From.values()) {
      for (Event event : Event.values()) {
        if (from == From.STOPPED && event == Event.SPIN_UP_COMPLETE) {
          continue; // stoppedUnitIgnoresTheClock
        }
        assertTrue(covered.contains(from + "/" + event), from + " x " + event);
      }
    }
    assertEquals(
        java.util.Set.of(DriveState.values()),
        java.util.Arrays.stream(From.values())
            .map(f -> in(f, true).state())
            .collect(java.util.stream.Collectors.toSet()),
        "every DriveState is a starting point");
  }

  // ------------------------------------------------------------------ timing

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void spinUpEndsAtTheLoadTime(boolean tray) {
    Mechanism m = new Mechanism(tray);
    m.on(new DriveEvent.Insert(medium), false, NOW, LOAD);
    assertEquals(DriveState.BECOMING_READY, m.state());
    m.tick(NOW + LOAD - 1);
    assertEquals(DriveState.BECOMING_READY, m.state());
    m.tick(NOW + LOAD);
    assertEquals(DriveState.READY, m.state());
  }

  @Test
  void loadTimeZeroIsReadyAtOnce() {
    Mechanism m = new Mechanism(false);
    assertEquals(Effect.MEDIUM_ARRIVED, m.on(new DriveEvent.Insert(medium), false, NOW, 0));
    assertEquals(DriveState.READY, m.state());
    m.on(new DriveEvent.Stop(), false, NOW, 0);
    m.on(new DriveEvent.Start(), false, NOW, 0);
    assertEquals(DriveState.READY, m.state());
    m.on(new DriveEvent.Eject(), false, NOW, 0);
    assertEquals(Effect.MEDIUM_ARRIVED, m.on(new DriveEvent.Load(), false, NOW, 0));
    assertEquals(DriveState.READY, m.state());
  }

  @Test
  void loadOrStartWhileSpinningUpKeepsTheDeadline() {
    Mechanism m = new Mechanism(true);
    m.on(new DriveEvent.Insert(medium), false, NOW, LOAD);
    m.on(new DriveEvent.Start(), false, NOW + LOAD / 2, LOAD);
    m.on(new DriveEvent.Load(), false, NOW + LOAD / 2, LOAD);
    m.tick(NOW + LOAD);
    assertEquals(DriveState.READY, m.state());
  }

  @Test
  void restartingAfterStopTakesTheLoadTimeAgain() {
    Mechanism m = new Mechanism(false);
    m.on(new DriveEvent.Insert(medium), false, NOW, LOAD);
    m.on(new DriveEvent.Stop(), false, NOW + 1, LOAD);
    long later = NOW + 10 * LOAD;
    m.on(new DriveEvent.Start(), false, later, LOAD);
    m.tick(later + LOAD - 1);
    assertEquals(DriveState.BECOMING_READY, m.state());
    m.tick(later + LOAD);
    assertEquals(DriveState.READY, m.state());
  }

  @Test
  void stoppedUnitIgnoresTheClock() {
    Mechanism m = new Mechanism(false);
    m.on(new DriveEvent.Insert(medium), false, NOW, LOAD);
    m.on(new DriveEvent.Stop(), false, NOW, LOAD);
    m.tick(NOW + 100 * LOAD);
    assertEquals(DriveState.STOPPED, m.state());
  }

  @Test
  void tickLeavesOtherStatesAlone() {
    for (From from : From.values()) {
      Mechanism m = in(from, true);
      DriveState before = m.state();
      m.tick(NOW - 1);
      assertEquals(before, m.state(), from.name());
    }
  }

  // ------------------------------------------------------------------ media and sense

  @Test
  void takeMediumLeavesATrayOpenAndASlotEmpty() {
    Mechanism tray = in(From.READY, true);
    tray.on(new DriveEvent.Remove(false), false, NOW, LOAD);
    assertSame(medium, tray.takeMedium());
    assertEquals(DriveState.TRAY_OPEN, tray.state());
    assertNull(tray.medium());

    Mechanism slot = in(From.READY, false);
    slot.on(new DriveEvent.Remove(false), false, NOW, LOAD);
    assertSame(medium, slot.takeMedium());
    assertEquals(DriveState.NO_MEDIUM, slot.state());
    assertNull(slot.medium());

    Mechanism ejected = in(From.TRAY_OPEN_WITH_MEDIUM, false);
    ejected.on(new DriveEvent.Remove(false), false, NOW, LOAD);
    assertSame(medium, ejected.takeMedium());
    assertEquals(DriveState.NO_MEDIUM, ejected.state());
  }

  @Test
  void loadedMediumIsOnlyAMediumInTheDrive() {
    assertNull(in(From.NO_MEDIUM, true).loadedMedium());
    assertNull(in(From.TRAY_OPEN_EMPTY, true).loadedMedium());
    Mechanism open = in(From.TRAY_OPEN_WITH_MEDIUM, true);
    assertNull(open.loadedMedium());
    assertSame(medium, open.medium());
    assertSame(medium, in(From.BECOMING_READY, true).loadedMedium());
    assertSame(medium, in(From.READY, true).loadedMedium());
    assertSame(medium, in(From.STOPPED, true).loadedMedium());
  }

  @Test
  void notReadyForEveryState() {
    assertNull(in(From.READY, false).notReady());
    assertNotReady(in(From.BECOMING_READY, false), "02/04/01");
    assertNotReady(in(From.STOPPED, true), "02/04/02");
    assertNotReady(in(From.NO_MEDIUM, false), "02/3A/00");
    assertNotReady(in(From.NO_MEDIUM, true), "02/3A/01");
    assertNotReady(in(From.TRAY_OPEN_EMPTY, false), "02/3A/00");
    assertNotReady(in(From.TRAY_OPEN_EMPTY, true), "02/3A/02");
    assertNotReady(in(From.TRAY_OPEN_WITH_MEDIUM, false), "02/3A/00");
    assertNotReady(in(From.TRAY_OPEN_WITH_MEDIUM, true), "02/3A/02");
  }

  private static void assertNotReady(Mechanism m, String triple) {
    SenseData sense = m.notReady().sense();
    assertEquals(
        triple, String.format("%02X/%02X/%02X", sense.key().code(), sense.asc(), sense.ascq()));
  }
}
