/**
 * The control API over HTTP and JSON: what a person does to a drive (insert, remove, write-protect)
 * and faults a test injects, while hosts stay connected. Only the owner of the media directory may
 * use it: every request carries the owner-only {@code ControlToken}, and it listens on loopback
 * unless asked otherwise. Served by kit's {@code JsonServer}, which bounds it and refuses web pages
 * (STYLE.md 9). Documented in the README, "Control API".
 */
package dev.secdrive.emulator.control;
