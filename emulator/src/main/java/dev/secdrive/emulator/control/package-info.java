/**
 * The control API over HTTP and JSON: what a person does to a drive (insert, remove, write-protect)
 * and faults a test injects, while hosts stay connected. Documented in the README.
 */
package dev.secdrive.emulator.control;
