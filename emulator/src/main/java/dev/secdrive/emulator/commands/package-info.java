/**
 * Command sets, one subpackage per standard ({@code spc}, {@code sbc}, {@code mmc}, {@code
 * security}). Each is a {@link dev.secdrive.emulator.firmware.CommandSet} of handlers that works
 * through a {@link dev.secdrive.emulator.firmware.UnitContext}; the firmware's dispatcher builds a
 * unit's command table from the sets its profile names (tgt's {@code device_type_template}).
 */
package dev.secdrive.emulator.commands;
