package dev.secdrive.emulator.firmware;

import dev.secdrive.emulator.media.Medium;
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.SenseKey;

/**
 * The loading mechanism as a state machine: every transition is in {@link #on}, one method per
 * state. Host events that are refused raise {@link CheckCondition}; refused control events raise
 * {@link DriveControlException}.
 */
final class Mechanism {

  /** What a transition did, beyond the state change, that hosts must hear about. */
  enum Effect {
    NONE,
    /** A medium became loaded: unit attention 28/00 on every nexus, NEW MEDIA event. */
    MEDIUM_ARRIVED,
    /** The loaded medium went away: MEDIA REMOVAL event. */
    MEDIUM_LEFT
  }

  private final boolean hasTray;
  private DriveState state = DriveState.NO_MEDIUM;
  private Medium medium;
  private long readyAt;

  /**
   * @param hasTray whether the drive loads with a tray (MMC devices), which decides between "tray
   *     open/closed" and plain MEDIUM NOT PRESENT
   */
  Mechanism(boolean hasTray) {
    this.hasTray = hasTray;
  }

  DriveState state() {
    return state;
  }

  /** The medium in the drive, loaded or sitting in the open tray; null if none. */
  Medium medium() {
    return medium;
  }

  /** The loaded medium, or null when none is loaded. */
  Medium loadedMedium() {
    return state == DriveState.NO_MEDIUM || state == DriveState.TRAY_OPEN ? null : medium;
  }

  /** Moves BECOMING_READY on to READY once the load time has passed. */
  void tick(long now) {
    if (state == DriveState.BECOMING_READY && now - readyAt >= 0) {
      on(new DriveEvent.SpinUpComplete(), false, now, 0);
    }
  }

  /**
   * Applies an event.
   *
   * @param prevented whether any nexus holds a PREVENT
   * @param now the clock, in nanoseconds
   * @param loadNanos the spin-up time for a newly loaded medium
   */
  Effect on(DriveEvent event, boolean prevented, long now, long loadNanos) {
    DriveState previous = state;
    Effect effect =
        switch (state) {
          case NO_MEDIUM -> whenNoMedium(event, prevented);
          case TRAY_OPEN -> whenTrayOpen(event, prevented);
          case BECOMING_READY, READY -> whenLoaded(event, prevented);
          case STOPPED -> whenStopped(event, prevented);
        };
    if (state == DriveState.BECOMING_READY && previous != DriveState.BECOMING_READY) {
      readyAt = now + loadNanos;
      if (loadNanos == 0) {
        state = DriveState.READY;
      }
    }
    return effect;
  }

  /** Host-event variant of {@link #on} that reports refusals as sense. */
  Effect onHost(DriveEvent event, boolean prevented, long now, long loadNanos)
      throws CheckCondition {
    try {
      return on(event, prevented, now, loadNanos);
    } catch (HostRefusal refusal) {
      throw refusal.error;
    }
  }

  private Effect whenNoMedium(DriveEvent event, boolean prevented) {
    if (event instanceof DriveEvent.Insert insert) {
      medium = insert.medium();
      state = DriveState.BECOMING_READY;
      return Effect.MEDIUM_ARRIVED;
    } else if (event instanceof DriveEvent.Remove) {
      throw new DriveControlException("there is no medium in the drive");
    } else if (event instanceof DriveEvent.Eject) {
      if (prevented) {
        throw new HostRefusal(
            CheckCondition.of(SenseKey.NOT_READY, AdditionalSense.MEDIUM_REMOVAL_PREVENTED));
      }
      if (hasTray) {
        state = DriveState.TRAY_OPEN; // a cartridge drive with an empty slot has nothing to open
      }
      return Effect.NONE;
    } else if (event instanceof DriveEvent.Start || event instanceof DriveEvent.Stop) {
      throw new HostRefusal(notPresent());
    }
    return Effect.NONE; // Load with the tray already closed, SpinUpComplete: nothing to do
  }

  private Effect whenTrayOpen(DriveEvent event, boolean prevented) {
    if (event instanceof DriveEvent.Insert insert) {
      if (medium != null) {
        throw new DriveControlException(
            "the open tray holds medium " + medium.id() + "; remove it first");
      }
      medium = insert.medium();
      state = DriveState.BECOMING_READY; // pushing a medium in closes the tray and loads it
      return Effect.MEDIUM_ARRIVED;
    } else if (event instanceof DriveEvent.Remove) {
      if (medium == null) {
        throw new DriveControlException("there is no medium in the drive");
      }
      state = DriveState.TRAY_OPEN;
      return Effect.NONE; // the caller takes the medium with takeMedium()
    } else if (event instanceof DriveEvent.Load) {
      if (prevented) {
        // A PREVENT locks the mechanism: the tray (or cartridge slot) moves neither way until
        // every nexus allows removal again, so a host's load is refused as its eject would be.
        throw new HostRefusal(
            CheckCondition.of(SenseKey.ILLEGAL_REQUEST, AdditionalSense.MEDIUM_REMOVAL_PREVENTED));
      }
      if (medium == null) {
        state = DriveState.NO_MEDIUM;
        return Effect.NONE;
      }
      state = DriveState.BECOMING_READY;
      return Effect.MEDIUM_ARRIVED;
    } else if (event instanceof DriveEvent.Start || event instanceof DriveEvent.Stop) {
      throw new HostRefusal(notPresent());
    }
    return Effect.NONE; // Eject with the tray open: already done
  }

  private Effect whenLoaded(DriveEvent event, boolean prevented) {
    if (event instanceof DriveEvent.Insert) {
      throw new DriveControlException("the drive already holds medium " + medium.id());
    } else if (event instanceof DriveEvent.Remove remove) {
      if (prevented && !remove.force()) {
        throw new DriveControlException(
            "a host prevents medium removal (PREVENT ALLOW MEDIUM REMOVAL); use force to pull it"
                + " out");
      }
      state = DriveState.TRAY_OPEN;
      return Effect.MEDIUM_LEFT;
    } else if (event instanceof DriveEvent.Eject) {
      if (prevented) {
        throw new HostRefusal(
            CheckCondition.of(SenseKey.ILLEGAL_REQUEST, AdditionalSense.MEDIUM_REMOVAL_PREVENTED));
      }
      state = DriveState.TRAY_OPEN;
      return Effect.MEDIUM_LEFT;
    } else if (event instanceof DriveEvent.Stop) {
      state = DriveState.STOPPED;
    } else if (event instanceof DriveEvent.SpinUpComplete) {
      state = DriveState.READY;
    }
    return Effect.NONE; // Load, Start: already loaded and spinning
  }

  private Effect whenStopped(DriveEvent event, boolean prevented) {
    if (event instanceof DriveEvent.Start || event instanceof DriveEvent.Load) {
      state = DriveState.BECOMING_READY;
      return Effect.NONE;
    }
    return whenLoaded(event, prevented);
  }

  /** Hands over the medium after a Remove; the tray is left open and empty. */
  Medium takeMedium() {
    Medium taken = medium;
    medium = null;
    if (state == DriveState.TRAY_OPEN) {
      state = hasTray ? DriveState.TRAY_OPEN : DriveState.NO_MEDIUM;
    }
    return taken;
  }

  /** The NOT READY sense for the current state, or null when READY. */
  CheckCondition notReady() {
    return switch (state) {
      case READY -> null;
      case BECOMING_READY ->
          CheckCondition.of(SenseKey.NOT_READY, AdditionalSense.LOGICAL_UNIT_BECOMING_READY);
      case STOPPED ->
          CheckCondition.of(
              SenseKey.NOT_READY,
              AdditionalSense.LOGICAL_UNIT_NOT_READY_INITIALIZING_COMMAND_REQUIRED);
      case NO_MEDIUM, TRAY_OPEN -> notPresent();
    };
  }

  private CheckCondition notPresent() {
    AdditionalSense sense;
    if (!hasTray) {
      sense = AdditionalSense.MEDIUM_NOT_PRESENT;
    } else {
      sense =
          state == DriveState.TRAY_OPEN
              ? AdditionalSense.MEDIUM_NOT_PRESENT_TRAY_OPEN
              : AdditionalSense.MEDIUM_NOT_PRESENT_TRAY_CLOSED;
    }
    return CheckCondition.of(SenseKey.NOT_READY, sense);
  }

  /** Carries a host refusal out of the transition table without checked-exception plumbing. */
  private static final class HostRefusal extends RuntimeException {
    private final transient CheckCondition error;

    HostRefusal(CheckCondition error) {
      super(null, null, false, false);
      this.error = error;
    }
  }
}
