package dev.secdrive.emulator.secure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.emulator.firmware.CheckCondition;
import dev.secdrive.protocol.security.ParameterException;
import dev.secdrive.protocol.security.ParameterException.Kind;
import dev.secdrive.protocol.security.Reason;
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.FieldPointer;
import dev.secdrive.protocol.sense.SenseKey;
import org.junit.jupiter.api.Test;

/**
 * A parameter list that does not parse is answered by its error's kind and offset: 05/26/00 with
 * the field pointer on the byte the host sent, and reason 0Bh for a nested structure of another
 * format version.
 */
class ParameterListsTest {

  private static ParameterLists.Decoder<Object> failing(Kind kind, int offset) {
    return () -> {
      throw new ParameterException(kind, "does not parse", offset);
    };
  }

  private static void assertInvalidParameter(int pointer, CheckCondition e) {
    assertTrue(
        e.sense().is(SenseKey.ILLEGAL_REQUEST, AdditionalSense.INVALID_FIELD_IN_PARAMETER_LIST),
        e.sense()::describe);
    assertEquals(FieldPointer.parameter(pointer), e.sense().fieldPointer());
    assertTrue(e.reason().isEmpty());
  }

  @Test
  void aWholeListPointsAtTheFieldItsDecoderNames() {
    for (Kind kind : Kind.values()) {
      CheckCondition e =
          assertThrows(CheckCondition.class, () -> ParameterLists.decode(failing(kind, 7)));
      assertInvalidParameter(7, e);
    }
  }

  @Test
  void aNestedStructurePointsIntoTheList() {
    CheckCondition e =
        assertThrows(
            CheckCondition.class,
            () -> ParameterLists.decodeAt(12, failing(Kind.INVALID_VALUE, 5)));
    assertInvalidParameter(17, e);
    CheckCondition refusedByTheRecord =
        assertThrows(
            CheckCondition.class,
            () ->
                ParameterLists.decodeAt(
                    12,
                    () -> {
                      throw new IllegalArgumentException("a record refuses a field");
                    }));
    assertInvalidParameter(12, refusedByTheRecord);
  }

  @Test
  void aNestedStructureOfAnotherFormatVersionIsRefusedWith0Bh() {
    CheckCondition e =
        assertThrows(
            CheckCondition.class,
            () -> ParameterLists.decodeAt(12, failing(Kind.FORMAT_VERSION, 4)));
    assertEquals(Reason.FORMAT_VERSION, e.reason().orElseThrow());
    assertEquals(Reason.FORMAT_VERSION.senseData(), e.sense());
  }

  @Test
  void fieldPointersStayWithinTheirTwoBytes() {
    assertInvalidParameter(0xFFFF, ParameterLists.invalidParameter(70_000));
    assertInvalidParameter(0, ParameterLists.invalidParameter(-3));
  }
}
