package dev.secdrive.emulator.firmware;

import java.util.List;

/**
 * The commands one standard defines, as a drive implements them (tgt's {@code
 * device_type_template}: one table of handlers per device type, the SPC handlers shared). A command
 * set works through the {@link UnitContext} it is given, never through the firmware.
 */
public interface CommandSet {

  /** The name drive profiles use for this set, e.g. {@code "sbc"}. */
  String name();

  /** The set's commands; a profile lists which of them its drive model has. */
  List<Command<?>> commands();
}
