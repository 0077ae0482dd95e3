/**
 * 16-bit PCM audio and the WAV files it comes in: {@link dev.secdrive.kit.audio.Pcm}, interleaved
 * samples with their rate and channel count, in the Red Book byte order of a CD-DA sector (IEC
 * 60908: 2,352 bytes = 588 stereo frames, left then right, each sample little-endian), and {@link
 * dev.secdrive.kit.audio.Wav}, the RIFF/WAVE reader and writer that refuses, by name, every format
 * it does not hold (anything but 16-bit linear PCM, or for CD audio anything but 44,100 Hz stereo).
 */
package dev.secdrive.kit.audio;
