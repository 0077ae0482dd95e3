package dev.secdrive.emulator.commands.sbc;

import static dev.secdrive.emulator.firmware.UserArea.mediumError;

import dev.secdrive.emulator.firmware.CheckCondition;
import dev.secdrive.emulator.firmware.Command;
import dev.secdrive.emulator.firmware.CommandSet;
import dev.secdrive.emulator.firmware.DataIn;
import dev.secdrive.emulator.firmware.DriveEvent;
import dev.secdrive.emulator.firmware.DriveState;
import dev.secdrive.emulator.firmware.NexusState;
import dev.secdrive.emulator.firmware.UnitContext;
import dev.secdrive.emulator.media.CdAudioDisc;
import dev.secdrive.emulator.media.Medium;
import dev.secdrive.protocol.cdb.BlockCommand;
import dev.secdrive.protocol.cdb.ByteCheckCommand;
import dev.secdrive.protocol.cdb.CompareAndWrite;
import dev.secdrive.protocol.cdb.GetLbaStatus;
import dev.secdrive.protocol.cdb.Opcode;
import dev.secdrive.protocol.cdb.OrWrite16;
import dev.secdrive.protocol.cdb.PreFetch10;
import dev.secdrive.protocol.cdb.PreFetch16;
import dev.secdrive.protocol.cdb.Read10;
import dev.secdrive.protocol.cdb.Read12;
import dev.secdrive.protocol.cdb.Read16;
import dev.secdrive.protocol.cdb.Read6;
import dev.secdrive.protocol.cdb.ReadCapacity10;
import dev.secdrive.protocol.cdb.ReadCapacity16;
import dev.secdrive.protocol.cdb.ReadDefectData10;
import dev.secdrive.protocol.cdb.ReadDefectData12;
import dev.secdrive.protocol.cdb.StartStopUnit;
import dev.secdrive.protocol.cdb.SynchronizeCache10;
import dev.secdrive.protocol.cdb.SynchronizeCache16;
import dev.secdrive.protocol.cdb.Verify10;
import dev.secdrive.protocol.cdb.Verify12;
import dev.secdrive.protocol.cdb.Verify16;
import dev.secdrive.protocol.cdb.Write10;
import dev.secdrive.protocol.cdb.Write12;
import dev.secdrive.protocol.cdb.Write16;
import dev.secdrive.protocol.cdb.WriteAndVerify10;
import dev.secdrive.protocol.cdb.WriteAndVerify12;
import dev.secdrive.protocol.cdb.WriteAndVerify16;
import dev.secdrive.protocol.cdb.WriteSame10;
import dev.secdrive.protocol.cdb.WriteSame16;
import dev.secdrive.protocol.cdb.WriteSameCommand;
import dev.secdrive.protocol.data.DefectListHeader;
import dev.secdrive.protocol.data.LbaStatus;
import dev.secdrive.protocol.data.ReadCapacity10Data;
import dev.secdrive.protocol.data.ReadCapacity16Data;
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.SenseData;
import dev.secdrive.protocol.sense.SenseKey;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The block commands (SBC-3): READ CAPACITY(10)/(16), READ(10)/(12)/(16), WRITE(10)/(12)/(16),
 * VERIFY and WRITE AND VERIFY(10)/(12)/(16), WRITE SAME(10)/(16), SYNCHRONIZE CACHE(10)/(16), and
 * START STOP UNIT, which loads, ejects, starts and stops the medium (SBC-3 5.25; MMC-6 gives it the
 * same layout). Writes go through the unit's {@link dev.secdrive.emulator.firmware.UserArea}, with
 * the faults the secure layer's writes share.
 */
public final class SbcCommands implements CommandSet {

  /** The name drive profiles give this set. */
  public static final String NAME = "sbc";

  /** The block length MMC-6 6.23 has READ CAPACITY report for every CD. */
  private static final int CD_BLOCK_LENGTH = 2048;

  private static final Logger log = LoggerFactory.getLogger(SbcCommands.class);

  private final UnitContext unit;
  private final List<Command<?>> commands;

  public SbcCommands(UnitContext unit) {
    this.unit = unit;
    this.commands =
        List.of(
            Command.of(Opcode.START_STOP_UNIT, StartStopUnit.class, this::startStopUnit),
            Command.of(Opcode.READ_CAPACITY_10, ReadCapacity10.class, this::readCapacity10),
            Command.of(Opcode.READ_10, Read10.class, this::read),
            Command.of(Opcode.WRITE_10, Write10.class, this::write),
            Command.of(Opcode.VERIFY_10, Verify10.class, this::verify),
            Command.of(Opcode.WRITE_AND_VERIFY_10, WriteAndVerify10.class, this::writeAndVerify),
            Command.of(
                Opcode.SYNCHRONIZE_CACHE_10, SynchronizeCache10.class, this::synchronizeCache),
            Command.of(
                Opcode.SYNCHRONIZE_CACHE_16, SynchronizeCache16.class, this::synchronizeCache),
            Command.of(Opcode.READ_12, Read12.class, this::read),
            Command.of(Opcode.WRITE_12, Write12.class, this::write),
            Command.of(Opcode.VERIFY_12, Verify12.class, this::verify),
            Command.of(Opcode.WRITE_AND_VERIFY_12, WriteAndVerify12.class, this::writeAndVerify),
            Command.of(Opcode.READ_16, Read16.class, this::read),
            Command.of(Opcode.WRITE_16, Write16.class, this::write),
            Command.of(Opcode.VERIFY_16, Verify16.class, this::verify),
            Command.of(Opcode.WRITE_AND_VERIFY_16, WriteAndVerify16.class, this::writeAndVerify),
            Command.of(Opcode.WRITE_SAME_10, WriteSame10.class, this::writeSame),
            Command.of(Opcode.WRITE_SAME_16, WriteSame16.class, this::writeSame),
            Command.of(Opcode.READ_CAPACITY_16, ReadCapacity16.class, this::readCapacity16),
            Command.of(Opcode.READ_6, Read6.class, this::read),
            Command.of(Opcode.PRE_FETCH_10, PreFetch10.class, this::preFetch),
            Command.of(Opcode.PRE_FETCH_16, PreFetch16.class, this::preFetch),
            Command.of(Opcode.ORWRITE_16, OrWrite16.class, this::orWrite),
            Command.of(Opcode.COMPARE_AND_WRITE, CompareAndWrite.class, this::compareAndWrite),
            Command.of(Opcode.READ_DEFECT_DATA_10, ReadDefectData10.class, this::readDefectData10),
            Command.of(Opcode.READ_DEFECT_DATA_12, ReadDefectData12.class, this::readDefectData12),
            Command.of(Opcode.GET_LBA_STATUS, GetLbaStatus.class, this::getLbaStatus));
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<Command<?>> commands() {
    return commands;
  }

  private int startStopUnit(NexusState nexus, StartStopUnit cdb, ByteBuffer dataOut, DataIn dataIn)
      throws CheckCondition {
    if (cdb.powerCondition() != 0) {
      // SBC-3 5.25: with a POWER CONDITION, START and LOEJ are ignored. The drive has no power
      // conditions to move between (idle, standby): it stays as it is and answers GOOD.
      return 0;
    }
    DriveEvent event;
    if (cdb.loadEject()) {
      event = cdb.start() ? new DriveEvent.Load() : new DriveEvent.Eject();
    } else {
      event = cdb.start() ? new DriveEvent.Start() : new DriveEvent.Stop();
    }
    DriveState before = unit.state();
    unit.hostEvent(nexus, event);
    if (!cdb.immediate()
        && before != DriveState.BECOMING_READY
        && unit.state() == DriveState.BECOMING_READY) {
      unit.service(unit.timing().loadNanos()); // without IMMED, status follows the spin-up
    }
    return 0;
  }

  private int readCapacity10(
      NexusState nexus, ReadCapacity10 cdb, ByteBuffer dataOut, DataIn dataIn)
      throws CheckCondition {
    Medium medium = unit.requireReady();
    if (!cdb.pmi() && cdb.lba() != 0) {
      throw CheckCondition.invalidField(2); // SBC-3 5.15.1
    }
    long last = medium.blockCount() - 1;
    long returned = Math.min(last, ReadCapacity10Data.LBA_TOO_LARGE);
    // MMC-6 6.23: a CD drive reports the last sector before the lead-out and 2,048-byte blocks,
    // an audio disc too, as real drives do; the audio itself is read with READ CD.
    int blockLength = CdAudioDisc.isAudio(medium) ? CD_BLOCK_LENGTH : medium.blockSize();
    return dataIn.respond(
        new ReadCapacity10Data(returned, blockLength).encode(), ReadCapacity10Data.LENGTH);
  }

  private int readCapacity16(
      NexusState nexus, ReadCapacity16 cdb, ByteBuffer dataOut, DataIn dataIn)
      throws CheckCondition {
    Medium medium = unit.requireReady();
    if (!cdb.pmi() && cdb.lba() != 0) {
      throw CheckCondition.invalidField(2);
    }
    return dataIn.respond(
        new ReadCapacity16Data(medium.blockCount() - 1, medium.blockSize()).encode(),
        cdb.allocationLength());
  }

  /** READ(10) and READ(16): from the image straight into the data-in buffer. */
  private int read(NexusState nexus, BlockCommand cdb, ByteBuffer dataOut, DataIn dataIn)
      throws CheckCondition {
    Medium medium = unit.requireReady();
    int bytes = checkAccess(unit, cdb, medium);
    if (CdAudioDisc.isAudio(medium)) {
      // MMC-6 4.2.3.6: READ(10) reads data sectors; a CD-DA sector is read with READ CD only.
      throw new CheckCondition(
          SenseData.of(SenseKey.ILLEGAL_REQUEST, AdditionalSense.ILLEGAL_MODE_FOR_THIS_TRACK)
              .withInformation(cdb.lba()));
    }
    if (bytes == 0) {
      return 0;
    }
    long failing = unit.faults().firstReadError(cdb.lba(), cdb.blocks());
    if (failing >= 0) {
      throw mediumError(AdditionalSense.UNRECOVERED_READ_ERROR, failing);
    }
    ByteBuffer destination = dataIn.allocate(bytes);
    int start = destination.position();
    try {
      medium.read(cdb.lba(), destination);
    } catch (IOException e) {
      log.error(
          "LUN {}: reading medium {} at LBA {} failed", unit.lun(), medium.id(), cdb.lba(), e);
      throw mediumError(AdditionalSense.UNRECOVERED_READ_ERROR, cdb.lba());
    }
    if (nexus.session().playing()) {
      // PROTOCOL.md "Titles": the open title's data blocks leave the drive decrypted, in place.
      unit.secure()
          .decryptRead(nexus.session(), medium, cdb.lba(), cdb.blocks(), destination, start);
    }
    unit.service(unit.timing().accessNanos(cdb.lba(), cdb.blocks(), bytes, false));
    return bytes;
  }

  private int write(NexusState nexus, BlockCommand cdb, ByteBuffer dataOut, DataIn dataIn)
      throws CheckCondition {
    Medium medium = unit.requireReady();
    ByteBuffer blocks = blocksToWrite(cdb, medium, dataOut);
    if (blocks.hasRemaining()) {
      unit.userArea().writeBlocks(medium, cdb.lba(), blocks, cdb.fua());
    }
    return 0;
  }

  /**
   * The checks every write shares (protection, range, transfer limit, write protect), then the part
   * of the data-out to put on the medium: a view of it, empty when nothing is written.
   */
  private ByteBuffer blocksToWrite(BlockCommand cdb, Medium medium, ByteBuffer dataOut)
      throws CheckCondition {
    int bytes = checkAccess(unit, cdb, medium);
    if (medium.metadata().readOnly()) {
      throw CheckCondition.of(SenseKey.DATA_PROTECT, AdditionalSense.WRITE_PROTECTED);
    }
    ByteBuffer blocks = dataOut.duplicate();
    blocks.limit(blocks.position() + wholeBlocksSent(bytes, dataOut, medium));
    return blocks;
  }

  /**
   * The bytes of a write's data-out to put on the medium when the host sent a different amount than
   * the CDB names (SAM-5's EDTL and SPDTL; FCP-4 9.4.2 option a): only the blocks the CDB names, of
   * what was sent; the endpoint reports the difference as a residual. Data-out that ends inside a
   * block cannot be written: INVALID FIELD IN INFORMATION UNIT (FCP-4 option b).
   */
  private int wholeBlocksSent(int bytes, ByteBuffer dataOut, Medium medium) throws CheckCondition {
    unit.dataOutLength(bytes);
    int sent = dataOut.remaining();
    if (sent >= bytes) {
      return bytes;
    }
    if (sent % medium.blockSize() != 0) {
      throw CheckCondition.of(
          SenseKey.ILLEGAL_REQUEST, AdditionalSense.INVALID_FIELD_IN_INFORMATION_UNIT);
    }
    return sent;
  }

  /**
   * WRITE AND VERIFY(10)/(12)/(16): the write, then the check of the written blocks, which an
   * image-backed medium passes as it reads back what was written; with BYTCHK 01b the comparison
   * with the data-out buffer is the same bytes again. A write fault fails it as it fails WRITE.
   */
  private int writeAndVerify(
      NexusState nexus, ByteCheckCommand cdb, ByteBuffer dataOut, DataIn dataIn)
      throws CheckCondition {
    checkByteCheck(cdb);
    return write(nexus, cdb, dataOut, dataIn);
  }

  /**
   * WRITE SAME(10)/(16): the one block of data-out to every block of the range, a range of 0 blocks
   * reaching the last block. The drives are fully provisioned (LBPME 0), so UNMAP and ANCHOR are
   * invalid, and so is NDOB; the range is bounded by Block Limits' MAXIMUM WRITE SAME LENGTH, which
   * is the transfer limit, so the range is written as one bounded write.
   */
  private int writeSame(NexusState nexus, WriteSameCommand cdb, ByteBuffer dataOut, DataIn dataIn)
      throws CheckCondition {
    Medium medium = unit.requireReady();
    if (cdb.protect() != 0) {
      throw CheckCondition.invalidField(1, 7);
    }
    if (cdb.anchor() || cdb.unmap()) {
      throw CheckCondition.invalidField(1, cdb.anchor() ? 4 : 3);
    }
    if (cdb.noDataOutBuffer()) {
      throw CheckCondition.invalidField(1, 0);
    }
    long lba = cdb.lba();
    if (lba < 0 || lba >= medium.blockCount()) {
      throw CheckCondition.of(SenseKey.ILLEGAL_REQUEST, AdditionalSense.LBA_OUT_OF_RANGE);
    }
    long blocks = cdb.blocks() == 0 ? medium.blockCount() - lba : cdb.blocks();
    long maximum = unit.maximumTransferLength(medium.blockSize());
    if (blocks > maximum) {
      throw CheckCondition.invalidField(cdb.lengthFieldOffset());
    }
    checkRange(cdb, medium, blocks);
    if (medium.metadata().readOnly()) {
      throw CheckCondition.of(SenseKey.DATA_PROTECT, AdditionalSense.WRITE_PROTECTED);
    }
    if (dataOut.remaining() != medium.blockSize()) {
      throw CheckCondition.invalidField(cdb.lengthFieldOffset()); // one block, no more, no less
    }
    ByteBuffer pattern = ByteBuffer.allocate((int) (blocks * medium.blockSize()));
    while (pattern.hasRemaining()) {
      pattern.put(dataOut.duplicate());
    }
    unit.userArea().writeBlocks(medium, lba, pattern.flip(), false);
    return 0;
  }

  /**
   * PRE-FETCH(10)/(16): the range is checked as a read's would be; the drive models no read cache,
   * so nothing is held and the answer is GOOD, which SBC-3 5.9 gives a cache without room for the
   * blocks (CONDITION MET would promise that a read of them finds them cached).
   */
  private int preFetch(NexusState nexus, BlockCommand cdb, ByteBuffer dataOut, DataIn dataIn)
      throws CheckCondition {
    Medium medium = unit.requireReady();
    checkRange(cdb, medium, cdb.blocks());
    return 0;
  }

  /**
   * ORWRITE(16) (SBC-3 5.8): each block on the medium becomes itself ORed with the data-out's
   * block; a read error on the way is a MEDIUM ERROR with nothing written. As WRITE takes its
   * data-out, so does ORWRITE (residuals, whole blocks only).
   */
  private int orWrite(NexusState nexus, OrWrite16 cdb, ByteBuffer dataOut, DataIn dataIn)
      throws CheckCondition {
    Medium medium = unit.requireReady();
    ByteBuffer ors = blocksToWrite(cdb, medium, dataOut);
    int written = ors.remaining();
    if (written == 0) {
      return 0;
    }
    int count = written / medium.blockSize();
    long failing = unit.faults().firstReadError(cdb.lba(), count);
    if (failing >= 0) {
      throw mediumError(AdditionalSense.UNRECOVERED_READ_ERROR, failing);
    }
    ByteBuffer blocks = readBlocks(medium, cdb.lba(), count);
    for (int i = 0; i < written; i++) {
      blocks.put(i, (byte) (blocks.get(i) | ors.get(ors.position() + i)));
    }
    unit.userArea().writeBlocks(medium, cdb.lba(), blocks, cdb.fua());
    return 0;
  }

  /**
   * COMPARE AND WRITE (SBC-3 5.2): the data-out is the verify instance of the blocks, then the
   * write instance; the blocks are written only if the verify instance matches what is on the
   * medium, else MISCOMPARE 1D/00 with INFORMATION the offset of the first byte that differs. One
   * command runs at a time, so nothing comes between the compare and the write. The data-out must
   * be exactly the two instances: half a compare cannot be done.
   */
  private int compareAndWrite(
      NexusState nexus, CompareAndWrite cdb, ByteBuffer dataOut, DataIn dataIn)
      throws CheckCondition {
    Medium medium = unit.requireReady();
    if (cdb.blocks() > CompareAndWrite.MAXIMUM_BLOCKS) {
      throw CheckCondition.invalidField(CompareAndWrite.LENGTH_OFFSET);
    }
    int bytes = checkAccess(unit, cdb, medium);
    if (medium.metadata().readOnly()) {
      throw CheckCondition.of(SenseKey.DATA_PROTECT, AdditionalSense.WRITE_PROTECTED);
    }
    unit.dataOutLength(2L * bytes);
    if (dataOut.remaining() != 2 * bytes) {
      throw CheckCondition.invalidField(CompareAndWrite.LENGTH_OFFSET);
    }
    if (bytes == 0) {
      return 0;
    }
    long failing = unit.faults().firstReadError(cdb.lba(), cdb.blocks());
    if (failing >= 0) {
      throw mediumError(AdditionalSense.UNRECOVERED_READ_ERROR, failing);
    }
    ByteBuffer onMedium = readBlocks(medium, cdb.lba(), (int) cdb.blocks());
    ByteBuffer verify = dataOut.duplicate();
    verify.limit(verify.position() + bytes);
    int mismatch = onMedium.mismatch(verify);
    if (mismatch >= 0) {
      throw new CheckCondition(
          SenseData.of(SenseKey.MISCOMPARE, AdditionalSense.MISCOMPARE_DURING_VERIFY)
              .withInformation(mismatch));
    }
    ByteBuffer write = dataOut.duplicate();
    write.position(write.position() + bytes);
    unit.userArea().writeBlocks(medium, cdb.lba(), write, cdb.fua());
    return 0;
  }

  /** {@code blocks} blocks from the medium at {@code lba}, in a buffer of their own. */
  private ByteBuffer readBlocks(Medium medium, long lba, int blocks) throws CheckCondition {
    ByteBuffer out = ByteBuffer.allocate(blocks * medium.blockSize());
    try {
      medium.read(lba, out);
    } catch (IOException e) {
      log.error("LUN {}: reading medium {} at LBA {} failed", unit.lun(), medium.id(), lba, e);
      throw mediumError(AdditionalSense.UNRECOVERED_READ_ERROR, lba);
    }
    unit.service(unit.timing().accessNanos(lba, blocks, out.capacity(), false));
    return out.flip();
  }

  /**
   * READ DEFECT DATA(10) (SBC-3 5.18): an image-backed medium has no defects, so the lists asked
   * for are returned, empty, in the format asked for (PLISTV and GLISTV as requested).
   */
  private int readDefectData10(
      NexusState nexus, ReadDefectData10 cdb, ByteBuffer dataOut, DataIn dataIn)
      throws CheckCondition {
    unit.requireReady();
    checkDefectListFormat(cdb.format(), 2);
    return dataIn.respond(
        new DefectListHeader(false, cdb.requestPlist(), cdb.requestGlist(), cdb.format(), 0)
            .encode(),
        cdb.allocationLength());
  }

  /** READ DEFECT DATA(12) (SBC-3 5.19): as the (10) form, with its 8-byte header. */
  private int readDefectData12(
      NexusState nexus, ReadDefectData12 cdb, ByteBuffer dataOut, DataIn dataIn)
      throws CheckCondition {
    unit.requireReady();
    checkDefectListFormat(cdb.format(), 1);
    return dataIn.respond(
        new DefectListHeader(true, cdb.requestPlist(), cdb.requestGlist(), cdb.format(), 0)
            .encode(),
        cdb.allocationLength());
  }

  /** DEFECT LIST FORMAT 111b is reserved (SBC-3 table 'Defect list formats'). */
  private static void checkDefectListFormat(int format, int cdbByte) throws CheckCondition {
    if (format == 0b111) {
      throw CheckCondition.invalidField(cdbByte, 2);
    }
  }

  /**
   * GET LBA STATUS (SBC-3 5.5): the drives are fully provisioned, so every block is mapped; one
   * descriptor covers the starting LBA to the last block (or the 32-bit most of it).
   */
  private int getLbaStatus(NexusState nexus, GetLbaStatus cdb, ByteBuffer dataOut, DataIn dataIn)
      throws CheckCondition {
    Medium medium = unit.requireReady();
    long lba = cdb.lba();
    if (lba < 0 || lba >= medium.blockCount()) {
      throw CheckCondition.of(SenseKey.ILLEGAL_REQUEST, AdditionalSense.LBA_OUT_OF_RANGE);
    }
    long blocks = Math.min(medium.blockCount() - lba, 0xFFFF_FFFFL);
    LbaStatus status =
        new LbaStatus(List.of(new LbaStatus.Descriptor(lba, blocks, LbaStatus.MAPPED)));
    return dataIn.respond(status.encode(), cdb.allocationLength());
  }

  private int verify(NexusState nexus, ByteCheckCommand cdb, ByteBuffer dataOut, DataIn dataIn)
      throws CheckCondition {
    Medium medium = unit.requireReady();
    checkByteCheck(cdb);
    int bytes = checkAccess(unit, cdb, medium);
    long failing = unit.faults().firstReadError(cdb.lba(), cdb.blocks());
    if (failing >= 0) {
      throw mediumError(AdditionalSense.UNRECOVERED_READ_ERROR, failing);
    }
    if (cdb.byteCheck() == ByteCheckCommand.BYTCHK_COMPARE) {
      if (dataOut.remaining() != bytes) {
        throw CheckCondition.invalidField(cdb.lengthFieldOffset());
      }
      ByteBuffer onMedium = ByteBuffer.allocate(bytes);
      try {
        medium.read(cdb.lba(), onMedium);
      } catch (IOException e) {
        throw mediumError(AdditionalSense.UNRECOVERED_READ_ERROR, cdb.lba());
      }
      int mismatch = onMedium.flip().mismatch(dataOut.duplicate());
      if (mismatch >= 0) {
        // SBC-3 5.29: INFORMATION holds the offset of the first byte that did not match.
        throw new CheckCondition(
            SenseData.of(SenseKey.MISCOMPARE, AdditionalSense.MISCOMPARE_DURING_VERIFY)
                .withInformation(mismatch));
      }
    }
    unit.service(unit.timing().accessNanos(cdb.lba(), cdb.blocks(), bytes, false));
    return 0;
  }

  private int synchronizeCache(
      NexusState nexus, BlockCommand cdb, ByteBuffer dataOut, DataIn dataIn) throws CheckCondition {
    Medium medium = unit.requireReady();
    if (cdb.blocks() != 0 || cdb.lba() != 0) {
      checkRange(cdb, medium, Math.max(cdb.blocks(), 1));
    }
    try {
      medium.force();
    } catch (IOException e) {
      log.error("LUN {}: flushing medium {} failed", unit.lun(), medium.id(), e);
      throw mediumError(AdditionalSense.WRITE_ERROR, cdb.lba());
    }
    return 0;
  }

  /** BYTCHK 10b and 11b (SBC-4's unmapped and single-block compares) are not served. */
  private static void checkByteCheck(ByteCheckCommand cdb) throws CheckCondition {
    int check = cdb.byteCheck();
    if (check != ByteCheckCommand.BYTCHK_NONE && check != ByteCheckCommand.BYTCHK_COMPARE) {
      throw CheckCondition.invalidField(1, 2);
    }
  }

  /** Checks protection, range and transfer size of a block access; returns its byte count. */
  private static int checkAccess(UnitContext unit, BlockCommand cdb, Medium medium)
      throws CheckCondition {
    if (cdb.protect() != 0) {
      throw CheckCondition.invalidField(1, 7); // secdrive media carry no protection information
    }
    checkRange(cdb, medium, cdb.blocks());
    long maximum = unit.maximumTransferLength(medium.blockSize());
    if (cdb.blocks() > maximum) {
      throw CheckCondition.transferTooLong(cdb.lengthFieldOffset(), cdb.blocks(), maximum);
    }
    return (int) (cdb.blocks() * medium.blockSize());
  }

  private static void checkRange(BlockCommand cdb, Medium medium, long blocks)
      throws CheckCondition {
    long lba = cdb.lba();
    // lba is unsigned on the wire: a READ(16) LBA with the top bit set is negative here.
    if (lba < 0 || lba >= medium.blockCount() || blocks > medium.blockCount() - lba) {
      throw CheckCondition.of(SenseKey.ILLEGAL_REQUEST, AdditionalSense.LBA_OUT_OF_RANGE);
    }
  }
}
