package dev.secdrive.emulator.commands.mmc;

import static dev.secdrive.emulator.firmware.UserArea.mediumError;

import dev.secdrive.emulator.firmware.CheckCondition;
import dev.secdrive.emulator.firmware.Command;
import dev.secdrive.emulator.firmware.DataIn;
import dev.secdrive.emulator.firmware.NexusState;
import dev.secdrive.emulator.firmware.UnitContext;
import dev.secdrive.emulator.media.CdAudioDisc;
import dev.secdrive.emulator.media.CdAudioDisc.TocTrack;
import dev.secdrive.emulator.media.Medium;
import dev.secdrive.protocol.cd.FullToc;
import dev.secdrive.protocol.cd.MediaCatalogNumber;
import dev.secdrive.protocol.cd.Msf;
import dev.secdrive.protocol.cd.QSubChannel;
import dev.secdrive.protocol.cd.SessionInfo;
import dev.secdrive.protocol.cd.SubChannelHeader;
import dev.secdrive.protocol.cd.SubChannelPosition;
import dev.secdrive.protocol.cd.Toc;
import dev.secdrive.protocol.cd.TrackDescriptor;
import dev.secdrive.protocol.cd.TrackIsrc;
import dev.secdrive.protocol.cdb.Opcode;
import dev.secdrive.protocol.cdb.ReadCd;
import dev.secdrive.protocol.cdb.ReadCdMsf;
import dev.secdrive.protocol.cdb.ReadSubChannel;
import dev.secdrive.protocol.cdb.ReadTocPmaAtip;
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.SenseKey;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CD commands of MMC-6: READ TOC/PMA/ATIP (6.33), READ SUB-CHANNEL (6.32), READ CD (6.26) and
 * READ CD MSF (6.27), on a CD-DA disc or a pressed CD-ROM. Part of the {@code mmc} set; it keeps
 * the loaded disc's TOC and the position of the last sector read, which READ SUB-CHANNEL reports.
 */
final class CdCommands {

  private static final Logger log = LoggerFactory.getLogger(CdCommands.class);

  /** Only one session on a pressed disc. */
  private static final int SESSION = 1;

  private static final int DATA_SECTOR_BYTES = 2048;
  private static final int SECTOR_TYPE_MODE_1 = 0b010;
  private static final int SECTOR_TYPE_LAST = 0b101;
  private static final int SUB_CHANNEL_RW = 0b100;

  private final UnitContext unit;
  private Disc disc;
  private Medium positionMedium;
  private long positionLba;

  CdCommands(UnitContext unit) {
    this.unit = unit;
  }

  List<Command<?>> commands() {
    return List.of(
        Command.of(Opcode.READ_SUB_CHANNEL, ReadSubChannel.class, this::readSubChannel),
        Command.of(Opcode.READ_TOC_PMA_ATIP, ReadTocPmaAtip.class, this::readToc),
        Command.of(Opcode.READ_CD_MSF, ReadCdMsf.class, this::readCdMsf),
        Command.of(Opcode.READ_CD, ReadCd.class, this::readCd));
  }

  /** The loaded disc, its TOC read once per medium. */
  private Disc disc() throws CheckCondition {
    Medium medium = unit.requireReady();
    if (disc == null || disc.medium() != medium) {
      disc = Disc.of(medium);
    }
    return disc;
  }

  // ---------------------------------------------------------------- READ TOC/PMA/ATIP

  private int readToc(NexusState nexus, ReadTocPmaAtip cdb, ByteBuffer dataOut, DataIn dataIn)
      throws CheckCondition {
    Disc disc = disc();
    byte[] data =
        switch (cdb.effectiveFormat()) {
          case ReadTocPmaAtip.FORMAT_TOC -> toc(disc, cdb).encode();
          case ReadTocPmaAtip.FORMAT_SESSION_INFO -> {
            TocTrack first = disc.tracks().get(0);
            yield new SessionInfo(
                    SESSION,
                    SESSION,
                    TrackDescriptor.of(
                        1, first.control(), first.number(), first.startLba(), cdb.msf()))
                .encode();
          }
          case ReadTocPmaAtip.FORMAT_FULL_TOC -> fullToc(disc, cdb).encode();
            // PMA and ATIP are on recordable media only; CD-TEXT is not pressed here.
          default ->
              throw cdb.format() != 0
                  ? CheckCondition.invalidField(2, 3)
                  : CheckCondition.invalidField(9, 7);
        };
    return dataIn.respond(data, cdb.allocationLength());
  }

  /** Format 0000b: the tracks from the requested one on, then the lead-out (MMC-6 6.33.2.5). */
  private static Toc toc(Disc disc, ReadTocPmaAtip cdb) throws CheckCondition {
    int from = cdb.trackSessionNumber();
    if (from > disc.lastTrack() && from != TrackDescriptor.LEAD_OUT) {
      throw CheckCondition.invalidField(6);
    }
    List<TrackDescriptor> descriptors = new ArrayList<>();
    for (TocTrack track : disc.tracks()) {
      if (track.number() >= from && from != TrackDescriptor.LEAD_OUT) {
        descriptors.add(
            TrackDescriptor.of(1, track.control(), track.number(), track.startLba(), cdb.msf()));
      }
    }
    descriptors.add(
        TrackDescriptor.of(
            1, disc.last().control(), TrackDescriptor.LEAD_OUT, disc.leadOutLba(), cdb.msf()));
    return new Toc(disc.firstTrack(), disc.lastTrack(), descriptors);
  }

  /** Format 0010b: points A0h, A1h, A2h, then the tracks; MSF always (MMC-6 6.33.3.4). */
  private static FullToc fullToc(Disc disc, ReadTocPmaAtip cdb) throws CheckCondition {
    if (cdb.trackSessionNumber() > SESSION) {
      throw CheckCondition.invalidField(6);
    }
    List<FullToc.Descriptor> descriptors = new ArrayList<>();
    TocTrack first = disc.tracks().get(0);
    TocTrack last = disc.last();
    descriptors.add(
        new FullToc.Descriptor(
            SESSION,
            1,
            first.control(),
            0,
            FullToc.POINT_FIRST_TRACK,
            0,
            0,
            0,
            0,
            first.number(),
            FullToc.DISC_TYPE_CD_DA_OR_CD_ROM,
            0));
    descriptors.add(
        new FullToc.Descriptor(
            SESSION,
            1,
            last.control(),
            0,
            FullToc.POINT_LAST_TRACK,
            0,
            0,
            0,
            0,
            last.number(),
            0,
            0));
    descriptors.add(
        FullToc.Descriptor.at(
            SESSION, last.control(), FullToc.POINT_LEAD_OUT, Msf.fromLba(disc.leadOutLba())));
    for (TocTrack track : disc.tracks()) {
      descriptors.add(
          FullToc.Descriptor.at(
              SESSION, track.control(), track.number(), Msf.fromLba(track.startLba())));
    }
    return new FullToc(SESSION, SESSION, descriptors);
  }

  // ---------------------------------------------------------------- READ SUB-CHANNEL

  private int readSubChannel(
      NexusState nexus, ReadSubChannel cdb, ByteBuffer dataOut, DataIn dataIn)
      throws CheckCondition {
    Disc disc = disc();
    // No PLAY AUDIO here: there is never an audio status to report (MMC-6 table 463, 15h).
    int status = SubChannelHeader.AUDIO_STATUS_NONE;
    byte[] data;
    if (cdb.format() < SubChannelHeader.FORMAT_CURRENT_POSITION
        || cdb.format() > SubChannelHeader.FORMAT_ISRC) {
      throw CheckCondition.invalidField(3);
    }
    if (!cdb.subQ()) {
      data = SubChannelHeader.only(status);
    } else if (cdb.format() == SubChannelHeader.FORMAT_CURRENT_POSITION) {
      long lba = positionMedium == disc.medium() ? positionLba : 0;
      TocTrack track = disc.trackAt(lba);
      data =
          new SubChannelPosition(
                  status,
                  1,
                  track.control(),
                  track.number(),
                  1,
                  TrackDescriptor.address(lba, cdb.msf()),
                  SubChannelPosition.relativeAddress(lba - track.startLba(), cdb.msf()))
              .encode();
    } else if (cdb.format() == SubChannelHeader.FORMAT_MCN) {
      data = new MediaCatalogNumber(status, disc.mcn()).encode();
    } else {
      TocTrack track =
          disc.track(cdb.trackNumber()).orElseThrow(() -> CheckCondition.invalidField(6));
      data = new TrackIsrc(status, 3, track.control(), track.number(), track.isrc()).encode();
    }
    return dataIn.respond(data, cdb.allocationLength());
  }

  // ---------------------------------------------------------------- READ CD, READ CD MSF

  private int readCd(NexusState nexus, ReadCd cdb, ByteBuffer dataOut, DataIn dataIn)
      throws CheckCondition {
    return read(
        cdb.expectedSectorType(),
        cdb.lba(),
        cdb.transferLength(),
        cdb.mainChannel(),
        cdb.subChannel(),
        6,
        dataIn);
  }

  private int readCdMsf(NexusState nexus, ReadCdMsf cdb, ByteBuffer dataOut, DataIn dataIn)
      throws CheckCondition {
    long start = cdb.start().toLba();
    long end = cdb.end().toLba();
    if (end < start) {
      throw CheckCondition.invalidField(6); // MMC-6 6.27.2.3: the end precedes the start
    }
    return read(
        cdb.expectedSectorType(),
        start,
        end - start,
        cdb.mainChannel(),
        cdb.subChannel(),
        6,
        dataIn);
  }

  private int read(
      int expectedType,
      long lba,
      long sectors,
      int mainChannel,
      int subChannel,
      int lengthField,
      DataIn dataIn)
      throws CheckCondition {
    if (expectedType > SECTOR_TYPE_LAST) {
      throw CheckCondition.invalidField(1, 4);
    }
    if ((mainChannel & ReadCd.C2_MASK) != 0) {
      throw CheckCondition.invalidField(9, 2); // no C2 error pointers (CD Read feature C2 = 0)
    }
    int subBytes =
        switch (subChannel) {
          case ReadCd.SUB_CHANNEL_NONE -> 0;
          case ReadCd.SUB_CHANNEL_RAW -> QSubChannel.RAW_PW_LENGTH;
          case ReadCd.SUB_CHANNEL_Q -> QSubChannel.FORMATTED_LENGTH;
          default -> throw CheckCondition.invalidField(10, 2); // R-W and reserved codes
        };
    Disc disc = disc();
    if (sectors == 0) {
      return 0; // MMC-6 6.26.2.4: not an error
    }
    if (lba < 0 || lba >= disc.leadOutLba() || sectors > disc.leadOutLba() - lba) {
      throw CheckCondition.of(SenseKey.ILLEGAL_REQUEST, AdditionalSense.LBA_OUT_OF_RANGE);
    }
    TocTrack first = disc.trackAt(lba);
    TocTrack lastTrack = disc.trackAt(lba + sectors - 1);
    boolean audio = first.audio();
    for (int n = first.number(); n <= lastTrack.number(); n++) {
      TocTrack track = disc.track(n).orElseThrow();
      boolean matches =
          track.audio()
              ? expectedType == ReadCd.SECTOR_TYPE_ANY || expectedType == ReadCd.SECTOR_TYPE_CD_DA
              : expectedType == ReadCd.SECTOR_TYPE_ANY || expectedType == SECTOR_TYPE_MODE_1;
      if (!matches || track.audio() != audio) {
        throw new CheckCondition(
            dev.secdrive.protocol.sense.SenseData.of(
                    SenseKey.ILLEGAL_REQUEST, AdditionalSense.ILLEGAL_MODE_FOR_THIS_TRACK)
                .withInformation(Math.max(lba, track.startLba())));
      }
    }
    int mainBytes;
    if (audio) {
      // MMC-6 table 416: of a CD-DA sector only the user data exists; the other selections
      // return nothing.
      mainBytes = (mainChannel & ReadCd.USER_DATA) != 0 ? CdAudioDisc.SECTOR_BYTES : 0;
    } else if (mainChannel == ReadCd.USER_DATA || mainChannel == 0) {
      mainBytes = mainChannel == 0 ? 0 : DATA_SECTOR_BYTES;
    } else {
      throw CheckCondition.invalidField(9, 7); // raw data sectors (sync, headers) not emulated
    }
    long maximum = unit.maximumTransferLength(disc.medium().blockSize());
    if (sectors > maximum) {
      throw CheckCondition.transferTooLong(lengthField, sectors, maximum);
    }
    long perSector = mainBytes + subBytes;
    long failing = unit.faults().firstReadError(lba, sectors);
    if (failing >= 0) {
      throw mediumError(AdditionalSense.UNRECOVERED_READ_ERROR, failing);
    }
    int bytes = (int) (perSector * sectors);
    if (bytes > 0) {
      ByteBuffer out = dataIn.allocate(bytes);
      try {
        if (subBytes == 0) {
          disc.medium().read(lba, out);
        } else {
          for (long at = lba; at < lba + sectors; at++) {
            if (mainBytes > 0) {
              disc.medium().read(at, out.slice(out.position(), mainBytes));
              out.position(out.position() + mainBytes);
            }
            QSubChannel q = disc.q(at);
            out.put(subChannel == ReadCd.SUB_CHANNEL_Q ? q.encode() : q.rawPw());
          }
        }
      } catch (IOException e) {
        log.error("LUN {}: reading medium {} at LBA {} failed", unit.lun(), disc.medium(), lba, e);
        throw mediumError(AdditionalSense.UNRECOVERED_READ_ERROR, lba);
      }
    }
    positionMedium = disc.medium();
    positionLba = lba + sectors - 1;
    unit.service(unit.timing().accessNanos(lba, sectors, bytes, false));
    return bytes;
  }
}
