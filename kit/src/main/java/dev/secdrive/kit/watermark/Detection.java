package dev.secdrive.kit.watermark;

/**
 * A watermark found in an excerpt.
 *
 * @param payload what it carries; its CRC matched
 * @param score the synchronisation score: the keyed sync pattern's correlation with the excerpt in
 *     standard deviations of unmarked audio (detection needs at least {@link
 *     Watermark#SYNC_THRESHOLD})
 * @param offsetFrames where the excerpt starts inside the watermark's repeating block, in frames (0
 *     to {@link Watermark#blockFrames()} − 1): the track's position modulo the block length
 * @param blocksDecoded how many whole blocks' worth of audio the decode combined (0 for an excerpt
 *     shorter than one block, which still decodes when long enough)
 */
public record Detection(Payload payload, double score, long offsetFrames, int blocksDecoded) {}
