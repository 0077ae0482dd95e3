/**
 * Watermark-verified ripping of CD audio (seed 004, digital information system; PROTOCOL.md
 * "Verification table"): the drive-made track record of embodiment 1 (claims 1-7, FIG. 2-3) that
 * binds a track's identifier (its ISRC), the random value the drive drew and the sectors that value
 * designates (claim 4) to the recording under a MAC only the drive can make, and the parameter
 * lists and data-in of the F0h operations REGISTER TRACK, TRACK RECORD and VERIFY TRACK.
 */
package dev.secdrive.protocol.rip;
