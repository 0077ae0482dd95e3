/**
 * The content move of seed 002 (PROTOCOL.md "Content move"): the records a distributor signs
 * (service data, licenses with their use conditions, contents copy certificates), the content
 * package on a medium with its move record, and the parameter lists and data-in of the F0h
 * operations CLIENT STATUS, REGISTER CLIENT, INSTALL LICENSE, STORE CERTIFICATE, MOVE OUT, MOVE IN
 * and OPEN CONTENT.
 */
package dev.secdrive.protocol.move;
