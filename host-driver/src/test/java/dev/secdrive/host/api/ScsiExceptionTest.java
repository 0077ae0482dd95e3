package dev.secdrive.host.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.protocol.cdb.Inquiry;
import dev.secdrive.protocol.cdb.Read10;
import dev.secdrive.protocol.cdb.SecurityProtocolIn;
import dev.secdrive.protocol.cdb.SecurityProtocolOut;
import dev.secdrive.protocol.cdb.Verify10;
import dev.secdrive.protocol.security.Reason;
import dev.secdrive.protocol.security.SecurityProtocols;
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.FieldPointer;
import dev.secdrive.protocol.sense.ScsiStatus;
import dev.secdrive.protocol.sense.SenseData;
import dev.secdrive.protocol.sense.SenseKey;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ScsiExceptionTest {

  private static ScsiException checkCondition(SenseData sense, String command) {
    return new ScsiException(ScsiStatus.CHECK_CONDITION, sense, command);
  }

  @Test
  void notReady() {
    SenseData sense = SenseData.of(SenseKey.NOT_READY, AdditionalSense.MEDIUM_NOT_PRESENT);
    ScsiException e = checkCondition(sense, new Read10(0, 1).describe());
    assertEquals(
        "NOT READY: MEDIUM NOT PRESENT (02/3A/00) on READ(10) lba=0 blocks=1", e.getMessage());
    assertSame(ScsiStatus.CHECK_CONDITION, e.status());
    assertSame(sense, e.sense());
    assertEquals("READ(10) lba=0 blocks=1", e.command());
    assertTrue(e.is(SenseKey.NOT_READY, AdditionalSense.MEDIUM_NOT_PRESENT));
    assertFalse(e.is(SenseKey.NOT_READY, AdditionalSense.MEDIUM_NOT_PRESENT_TRAY_OPEN));
    assertFalse(e.is(SenseKey.UNIT_ATTENTION, AdditionalSense.MEDIUM_NOT_PRESENT));
    assertFalse(e.isUnitAttention());
    assertInstanceOf(DriveException.class, e);
  }

  @Test
  void validInformationIsTheFailingLba() {
    SenseData sense =
        SenseData.of(SenseKey.MEDIUM_ERROR, AdditionalSense.UNRECOVERED_READ_ERROR)
            .withInformation(5);
    assertEquals(
        "MEDIUM ERROR: UNRECOVERED READ ERROR (03/11/00) at LBA 5 on READ(10) lba=4 blocks=2",
        checkCondition(sense, new Read10(4, 2).describe()).getMessage());
  }

  @Test
  void informationWithoutValidIsNotShown() {
    SenseData sense =
        new SenseData(false, SenseKey.MEDIUM_ERROR, 0x11, 0x00, 5, /* fieldPointer= */ null);
    assertEquals(
        "MEDIUM ERROR: UNRECOVERED READ ERROR (03/11/00) on READ(10) lba=4 blocks=2",
        checkCondition(sense, "READ(10) lba=4 blocks=2").getMessage());
  }

  @Test
  void miscompareInformationIsAByteOffset() {
    SenseData sense =
        SenseData.of(SenseKey.MISCOMPARE, AdditionalSense.MISCOMPARE_DURING_VERIFY)
            .withInformation(1029);
    assertEquals(
        "MISCOMPARE: MISCOMPARE DURING VERIFY OPERATION (0E/1D/00) at byte 1029"
            + " on VERIFY(10) lba=8 blocks=4",
        checkCondition(sense, new Verify10(8, 4, Verify10.BYTCHK_COMPARE).describe()).getMessage());
  }

  @Test
  void largestInformation() {
    SenseData sense =
        SenseData.of(SenseKey.ILLEGAL_REQUEST, AdditionalSense.LBA_OUT_OF_RANGE)
            .withInformation(0xFFFF_FFFFL);
    assertEquals(
        "ILLEGAL REQUEST: LOGICAL BLOCK ADDRESS OUT OF RANGE (05/21/00) at LBA 4294967295"
            + " on READ(10) lba=4294967295 blocks=1",
        checkCondition(sense, new Read10(0xFFFF_FFFFL, 1).describe()).getMessage());
  }

  @Test
  void unknownAdditionalSenseShowsTheCodes() {
    SenseData sense = new SenseData(false, SenseKey.HARDWARE_ERROR, 0x80, 0x01, 0, null);
    assertEquals(
        "HARDWARE ERROR: ASC 80H ASCQ 01H (04/80/01) on TEST UNIT READY",
        checkCondition(sense, "TEST UNIT READY").getMessage());
  }

  @Test
  void fieldPointerInTheCdb() {
    SenseData sense =
        SenseData.of(
            SenseKey.ILLEGAL_REQUEST, AdditionalSense.INVALID_FIELD_IN_CDB, FieldPointer.cdb(1, 0));
    assertEquals(
        "ILLEGAL REQUEST: INVALID FIELD IN CDB (05/24/00) at CDB byte 1 bit 0 on INQUIRY page=B0h",
        checkCondition(sense, Inquiry.vpd(0xB0, 64).describe()).getMessage());
  }

  @Test
  void fieldPointerWithoutBitAndInTheParameterList() {
    assertEquals(
        "ILLEGAL REQUEST: INVALID FIELD IN CDB (05/24/00) at CDB byte 4 on INQUIRY",
        checkCondition(
                SenseData.of(
                    SenseKey.ILLEGAL_REQUEST,
                    AdditionalSense.INVALID_FIELD_IN_CDB,
                    FieldPointer.cdb(4)),
                "INQUIRY")
            .getMessage());
    assertEquals(
        "ILLEGAL REQUEST: INVALID FIELD IN PARAMETER LIST (05/26/00) at parameter list byte 2"
            + " on VERIFY(10) lba=0 blocks=1",
        checkCondition(
                SenseData.of(
                    SenseKey.ILLEGAL_REQUEST,
                    AdditionalSense.INVALID_FIELD_IN_PARAMETER_LIST,
                    FieldPointer.parameter(2)),
                "VERIFY(10) lba=0 blocks=1")
            .getMessage());
  }

  @Test
  void unitAttention() {
    ScsiException e =
        checkCondition(
            SenseData.of(SenseKey.UNIT_ATTENTION, AdditionalSense.MEDIUM_MAY_HAVE_CHANGED),
            "READ CAPACITY(10)");
    assertEquals(
        "UNIT ATTENTION: NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED (06/28/00)"
            + " on READ CAPACITY(10)",
        e.getMessage());
    assertTrue(e.isUnitAttention());
    assertTrue(e.is(SenseKey.UNIT_ATTENTION, AdditionalSense.MEDIUM_MAY_HAVE_CHANGED));
  }

  @Test
  void staleBackupNamesTheRecordedVersion() {
    ScsiException e =
        checkCondition(
            Reason.STALE.senseData(3),
            new SecurityProtocolOut(SecurityProtocols.SECDRIVE, 0x0105, 40).describe());
    assertEquals(
        "ILLEGAL REQUEST: COPY PROTECTION KEY EXCHANGE FAILURE - AUTHENTICATION FAILURE (05/6F/00):"
            + " stale: older than the medium's license state (its write counter or this drive's"
            + " record) (the medium's write counter or the license version this drive recorded: 3)"
            + " on SECURITY PROTOCOL OUT RESTORE",
        e.getMessage());
    assertEquals(Optional.of(Reason.STALE), e.reason());
  }

  @Test
  void everyReasonReadsWithItsText() {
    for (Reason reason : Reason.values()) {
      ScsiException e = checkCondition(reason.senseData(), "SECURITY PROTOCOL OUT PROVISION");
      assertEquals(Optional.of(reason), e.reason(), reason::name);
      assertTrue(
          e.getMessage().endsWith(": " + reason.text() + " on SECURITY PROTOCOL OUT PROVISION"),
          e.getMessage());
    }
  }

  @Test
  void noReasonWithoutCommandSpecificInformation() {
    ScsiException e =
        checkCondition(
            SenseData.of(SenseKey.ILLEGAL_REQUEST, AdditionalSense.AUTHENTICATION_FAILURE),
            "SECURITY PROTOCOL OUT PROVISION");
    assertEquals(Optional.empty(), e.reason());
    assertEquals(
        "ILLEGAL REQUEST: COPY PROTECTION KEY EXCHANGE FAILURE - AUTHENTICATION FAILURE (05/6F/00)"
            + " on SECURITY PROTOCOL OUT PROVISION",
        e.getMessage());
    assertEquals(
        Optional.empty(), new ScsiException(ScsiStatus.BUSY, null, "TEST UNIT READY").reason());
  }

  @Test
  void securityCdbsDescribeTheirOperation() {
    assertEquals(
        "SECURITY PROTOCOL IN CHALLENGE",
        new SecurityProtocolIn(SecurityProtocols.SECDRIVE, 0x0001, 36).describe());
    assertEquals(
        "SECURITY PROTOCOL IN 00h/0001h",
        new SecurityProtocolIn(SecurityProtocols.INFORMATION, 0x0001, 1024).describe());
  }

  @Test
  void busyWithoutSense() {
    ScsiException e = new ScsiException(ScsiStatus.BUSY, null, "TEST UNIT READY");
    assertEquals("BUSY on TEST UNIT READY", e.getMessage());
    assertSame(ScsiStatus.BUSY, e.status());
    assertNull(e.sense());
    assertFalse(e.isUnitAttention());
    assertFalse(e.is(SenseKey.NO_SENSE, AdditionalSense.NO_ADDITIONAL_SENSE_INFORMATION));
  }

  @Test
  void checkConditionWithoutSense() {
    ScsiException e = new ScsiException(ScsiStatus.CHECK_CONDITION, null, "INQUIRY");
    assertEquals("CHECK CONDITION without sense data on INQUIRY", e.getMessage());
    assertNull(e.sense());
    assertFalse(e.isUnitAttention());
  }

  @Test
  void otherExceptionMessages() {
    assertEquals(
        "TEST UNIT READY timed out after 1500 ms on tcp://[::1]:7140",
        new CommandTimeoutException(
                "TEST UNIT READY", java.time.Duration.ofMillis(1500), "tcp://[::1]:7140")
            .getMessage());
    assertEquals(
        java.time.Duration.ofMillis(1500),
        new CommandTimeoutException("X", java.time.Duration.ofMillis(1500), "t").timeout());
    assertInstanceOf(DriveException.class, new TransportException("lost"));
    IllegalStateException cause = new IllegalStateException("why");
    assertSame(cause, new TransportException("lost", cause).getCause());
  }

  @Test
  void statusesWithoutSenseReadWithSamWording() {
    assertEquals(
        "TASK SET FULL on READ(10) lba=0 blocks=1",
        new ScsiException(ScsiStatus.TASK_SET_FULL, null, "READ(10) lba=0 blocks=1").getMessage());
    assertEquals(
        "RESERVATION CONFLICT on TEST UNIT READY",
        new ScsiException(ScsiStatus.RESERVATION_CONFLICT, null, "TEST UNIT READY").getMessage());
  }
}
