/**
 * The keyed, blind audio watermark of CD audio (issue 13 item 3; seed 004: the watermark the first
 * rip of embodiment 1, claims 1-7, FIG. 2-3, detects, and that embodiment 2, claims 8-13, FIG. 4-6,
 * samples in short ranges at random sectors). {@link dev.secdrive.kit.watermark.Watermark} embeds a
 * {@link dev.secdrive.kit.watermark.Payload} (a {@link dev.secdrive.kit.watermark.CopyControl}
 * state and a 48-bit content identifier) under a {@link dev.secdrive.kit.watermark.WatermarkKey}
 * and detects it, without the original, from any long enough stretch of the track, returning a
 * {@link dev.secdrive.kit.watermark.Detection}; {@link
 * dev.secdrive.kit.watermark.Watermark#verify(dev.secdrive.kit.audio.Pcm,
 * dev.secdrive.kit.watermark.Detection)} then checks every stretch of it against that mark, as a
 * {@link dev.secdrive.kit.watermark.Coverage}. kit/WATERMARK.md gives the design (embedding,
 * keying, code, sync, the detection threshold and why unmarked audio does not pass it) and the
 * measured figures; {@link dev.secdrive.kit.watermark.WatermarkReport} measures them again.
 */
package dev.secdrive.kit.watermark;
