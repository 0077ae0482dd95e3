package dev.secdrive.host.api;

import dev.secdrive.protocol.cd.FullToc;
import dev.secdrive.protocol.cd.MediaCatalogNumber;
import dev.secdrive.protocol.cd.Msf;
import dev.secdrive.protocol.cd.QSubChannel;
import dev.secdrive.protocol.cd.SessionInfo;
import dev.secdrive.protocol.cd.SubChannelHeader;
import dev.secdrive.protocol.cd.SubChannelPosition;
import dev.secdrive.protocol.cd.Toc;
import dev.secdrive.protocol.cd.TrackIsrc;
import dev.secdrive.protocol.cdb.Cdb;
import dev.secdrive.protocol.cdb.ReadCd;
import dev.secdrive.protocol.cdb.ReadCdMsf;
import dev.secdrive.protocol.cdb.ReadSubChannel;
import dev.secdrive.protocol.cdb.ReadTocPmaAtip;
import io.netty.buffer.ByteBuf;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A CD drive's audio commands (MMC-6; PROTOCOL.md "CD-DA"): READ TOC/PMA/ATIP, READ CD and READ CD
 * MSF of CD-DA sectors, READ SUB-CHANNEL. Obtained with {@link Drive#cdAudio()}. A read of any
 * length is split into as many CDBs as needed, all in flight at once, each within what the drive
 * accepts: the MAXIMUM TRANSFER LENGTH of its Block Limits VPD page (B0h), asked once, and one
 * command's {@link Drive#MAXIMUM_TRANSFER_BYTES}. A refusal (not audio: 05/64/00; past the
 * lead-out: 05/21/00; no disc: 02/3A/xx) arrives as {@link ScsiException}.
 */
public final class CdAudio {

  /** Bytes of one CD-DA sector. */
  public static final int SECTOR_BYTES = 2352;

  /** Bytes of one sector with formatted Q: the audio, then 16 bytes of Q. */
  public static final int SECTOR_WITH_Q_BYTES = SECTOR_BYTES + QSubChannel.FORMATTED_LENGTH;

  /** Enough for 99 tracks and the lead-out (4 + 100 x 8), and for the full TOC (4 + 102 x 11). */
  private static final int TOC_ALLOCATION = 2048;

  private final Drive drive;

  /** The drive's MAXIMUM TRANSFER LENGTH in sectors once learned; 0 while not, or no limit. */
  private volatile long maximumSectors = -1;

  CdAudio(Drive drive) {
    this.drive = drive;
  }

  /** The TOC (format 0000b), addresses as LBAs. */
  public Toc readToc() {
    return readToc(false);
  }

  /** The TOC (format 0000b), its address fields LBAs or 00h M S F as {@code msf} asks. */
  public Toc readToc(boolean msf) {
    return drive.await(
        drive.execute(
            new ReadTocPmaAtip(msf, ReadTocPmaAtip.FORMAT_TOC, 0, TOC_ALLOCATION, 0),
            TOC_ALLOCATION,
            Toc::decode));
  }

  /** The full TOC (format 0010b): points A0h-A2h and the tracks, MSF. */
  public FullToc readFullToc() {
    return drive.await(
        drive.execute(
            new ReadTocPmaAtip(true, ReadTocPmaAtip.FORMAT_FULL_TOC, 1, TOC_ALLOCATION, 0),
            TOC_ALLOCATION,
            FullToc::decode));
  }

  /** Session information (format 0001b), the address as an LBA. */
  public SessionInfo readSessionInfo() {
    return drive.await(
        drive.execute(
            new ReadTocPmaAtip(false, ReadTocPmaAtip.FORMAT_SESSION_INFO, 0, SessionInfo.LENGTH, 0),
            SessionInfo.LENGTH,
            SessionInfo::decode));
  }

  /** {@code sectors} CD-DA sectors from {@code lba}, 2,352 bytes each, no sub-channel. */
  public byte[] readCd(long lba, int sectors) {
    return drive.await(read(lba, sectors, ReadCd.SUB_CHANNEL_NONE, SECTOR_BYTES));
  }

  /**
   * {@code sectors} CD-DA sectors from {@code lba}, each 2,352 bytes of audio followed by its 16
   * bytes of formatted Q ({@link QSubChannel#decode}).
   */
  public byte[] readCdWithQ(long lba, int sectors) {
    return drive.await(read(lba, sectors, ReadCd.SUB_CHANNEL_Q, SECTOR_WITH_Q_BYTES));
  }

  /** The CD-DA sectors from {@code start} up to, not including, {@code end} (READ CD MSF). */
  public byte[] readCdMsf(Msf start, Msf end) {
    long first = start.toLba();
    long count = end.toLba() - first;
    if (count < 0 || count > Integer.MAX_VALUE / SECTOR_BYTES) {
      throw new IllegalArgumentException("cannot read from " + start + " to " + end);
    }
    return drive.await(
        Transfers.read(
            (lba, n, size) ->
                command(
                    ReadCdMsf.audio(
                        Msf.fromLba(lba), Msf.fromLba(lba + n), ReadCd.SUB_CHANNEL_NONE),
                    (long) n * size),
            first,
            (int) count,
            SECTOR_BYTES,
            chunk(SECTOR_BYTES)));
  }

  /** The media catalog number (READ SUB-CHANNEL 02h), if the disc has one. */
  public Optional<String> mcn() {
    return drive
        .await(
            drive.execute(
                new ReadSubChannel(
                    false, true, SubChannelHeader.FORMAT_MCN, 0, MediaCatalogNumber.LENGTH, 0),
                MediaCatalogNumber.LENGTH,
                MediaCatalogNumber::decode))
        .mcn();
  }

  /** Track {@code track}'s ISRC (READ SUB-CHANNEL 03h), if it has one. */
  public Optional<String> isrc(int track) {
    if (track < 1 || track > 99) {
      throw new IllegalArgumentException("track number " + track + " is not 1-99");
    }
    return drive
        .await(
            drive.execute(
                new ReadSubChannel(
                    false, true, SubChannelHeader.FORMAT_ISRC, track, TrackIsrc.LENGTH, 0),
                TrackIsrc.LENGTH,
                TrackIsrc::decode))
        .isrc();
  }

  /** The current position (READ SUB-CHANNEL 01h), addresses as LBAs. */
  public SubChannelPosition currentPosition() {
    return currentPosition(false);
  }

  /** The current position, its addresses LBAs or MSF as {@code msf} asks. */
  public SubChannelPosition currentPosition(boolean msf) {
    return drive.await(
        drive.execute(
            new ReadSubChannel(
                msf,
                true,
                SubChannelHeader.FORMAT_CURRENT_POSITION,
                0,
                SubChannelPosition.LENGTH,
                0),
            SubChannelPosition.LENGTH,
            SubChannelPosition::decode));
  }

  private CompletableFuture<byte[]> read(long lba, int sectors, int subChannel, int perSector) {
    if (lba < 0 || sectors < 0 || lba + sectors > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("cannot read " + sectors + " sectors at LBA " + lba);
    }
    return Transfers.read(
        (at, n, size) -> command(ReadCd.audio(at, n, subChannel), (long) n * size),
        lba,
        sectors,
        perSector,
        chunk(perSector));
  }

  /**
   * Sectors of {@code perSector} bytes one READ CD may ask for: the drive's MAXIMUM TRANSFER LENGTH
   * (B0h; zero there means no limit reported), never more than one data phase holds. A drive that
   * does not serve B0h is held to the data phase alone.
   */
  private int chunk(int perSector) {
    int byBytes = Drive.MAXIMUM_TRANSFER_BYTES / perSector;
    long reported = maximumSectors;
    if (reported < 0) {
      try {
        reported = drive.blockLimits().maximumTransferLength();
        maximumSectors = reported;
      } catch (ScsiException e) {
        reported = 0; // not served: ask again next time, the data phase bounds this read
      }
    }
    return reported == 0 ? byBytes : (int) Math.min(byBytes, reported);
  }

  /** One command; refuses an answer of another length than asked for. */
  private CompletableFuture<ByteBuf> command(Cdb cdb, long expected) {
    return drive
        .submit(cdb, expected, null)
        .thenApply(
            data -> {
              if (data.readableBytes() != expected) {
                int got = data.readableBytes();
                data.release();
                throw new DriveException(
                    cdb.describe() + " returned " + got + " bytes, expected " + expected);
              }
              return data;
            });
  }
}
