package dev.secdrive.emulator.firmware;

import static dev.secdrive.protocol.cdb.PersistentReserveOut.EXCLUSIVE_ACCESS;
import static dev.secdrive.protocol.cdb.PersistentReserveOut.EXCLUSIVE_ACCESS_ALL_REGISTRANTS;
import static dev.secdrive.protocol.cdb.PersistentReserveOut.EXCLUSIVE_ACCESS_REGISTRANTS_ONLY;
import static dev.secdrive.protocol.cdb.PersistentReserveOut.WRITE_EXCLUSIVE_ALL_REGISTRANTS;
import static dev.secdrive.protocol.cdb.PersistentReserveOut.WRITE_EXCLUSIVE_REGISTRANTS_ONLY;

import dev.secdrive.protocol.cdb.Cdb;
import dev.secdrive.protocol.cdb.Opcode;
import dev.secdrive.protocol.cdb.PersistentReserveIn;
import dev.secdrive.protocol.cdb.PersistentReserveOut;
import dev.secdrive.protocol.data.PersistentReserveInData;
import dev.secdrive.protocol.data.PersistentReserveInData.ReportCapabilities;
import dev.secdrive.protocol.data.PersistentReserveParameters;
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.SenseKey;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * One logical unit's persistent reservations (SPC-4 5.9): the registered I_T nexuses with their
 * keys, the generation, and the reservation with its holder and type. An I_T nexus is named by its
 * initiator port ({@link Nexus#initiator()}, for iSCSI the initiator name with its ISID), so a
 * registration outlives the connection that made it and a reconnecting initiator port finds it
 * again, as SPC-4 has it; resets leave it. Registrations are not persisted through power loss
 * (PTPL_C 0): the drive is emulated, and its reservations end with the process.
 *
 * <p>Which commands a reservation keeps from a nexus that does not hold it, by the class of the
 * command (SPC-4 5.9.1, SBC-3 4.17): those that only describe the unit, poll it or spin it up
 * ({@link #ALWAYS_ALLOWED}, and {@link ReservationExemptions}) pass; those that read the medium
 * ({@link #READS}) conflict under the exclusive-access types; everything else, writes and changes
 * of state, under every type. The registrants-only and all-registrants types let registered nexuses
 * through.
 *
 * <p>Not thread-safe: the firmware runs one command at a time.
 */
final class PersistentReservations {

  /** Commands a persistent reservation never keeps from a nexus (SPC-4 table 'allowed'). */
  private static final Set<Opcode> ALWAYS_ALLOWED =
      EnumSet.of(
          Opcode.TEST_UNIT_READY,
          Opcode.INQUIRY,
          Opcode.REQUEST_SENSE,
          Opcode.READ_CAPACITY_10,
          Opcode.READ_CAPACITY_16,
          Opcode.GET_EVENT_STATUS_NOTIFICATION,
          Opcode.PERSISTENT_RESERVE_IN,
          Opcode.PERSISTENT_RESERVE_OUT,
          Opcode.REPORT_LUNS,
          Opcode.REPORT_SUPPORTED_OPERATION_CODES);

  /** Commands that read the medium or describe it: shared under the write-exclusive types. */
  private static final Set<Opcode> READS =
      EnumSet.of(
          Opcode.READ_6,
          Opcode.READ_10,
          Opcode.READ_12,
          Opcode.READ_16,
          Opcode.READ_CD,
          Opcode.READ_CD_MSF,
          Opcode.VERIFY_10,
          Opcode.VERIFY_12,
          Opcode.VERIFY_16,
          Opcode.PRE_FETCH_10,
          Opcode.PRE_FETCH_16,
          Opcode.GET_LBA_STATUS,
          Opcode.MODE_SENSE_6,
          Opcode.MODE_SENSE_10,
          Opcode.GET_CONFIGURATION,
          Opcode.READ_TOC_PMA_ATIP,
          Opcode.READ_SUB_CHANNEL,
          Opcode.READ_MEDIA_SERIAL_NUMBER);

  /** The reservation types secdrive serves: all six of SPC-4. */
  static final int TYPE_MASK =
      ReportCapabilities.WR_EX
          | ReportCapabilities.EX_AC
          | ReportCapabilities.WR_EX_RO
          | ReportCapabilities.EX_AC_RO
          | ReportCapabilities.WR_EX_AR
          | ReportCapabilities.EX_AC_AR;

  /**
   * Registrations one logical unit keeps. When it is full, a new initiator port's REGISTER takes
   * the place of the oldest registrant with no connection now (and no reservation), else it is
   * refused with INSUFFICIENT REGISTRATION RESOURCES (SPC-4 5.9.7): hosts that register from ever
   * new connections can neither grow the table without end nor fill it for good.
   */
  static final int MAXIMUM_REGISTRATIONS = 64;

  private final Map<String, Long> registrations = new LinkedHashMap<>();
  private final BiConsumer<String, AdditionalSense> unitAttention;
  private final Predicate<String> connected;
  private long generation;
  private String holder; // the holding initiator port, for the types with one holder
  private int type; // 0: no reservation

  /**
   * @param unitAttention sets a unit attention on every nexus of an initiator port
   * @param connected whether an initiator port has a nexus connected now
   */
  PersistentReservations(
      BiConsumer<String, AdditionalSense> unitAttention, Predicate<String> connected) {
    this.unitAttention = unitAttention;
    this.connected = connected;
  }

  /** Whether any registration or reservation exists: RESERVE(6) and RELEASE(6) then conflict. */
  boolean active() {
    return !registrations.isEmpty() || type != 0;
  }

  /** Whether {@code cdb} from {@code port} meets the reservation (SPC-4 5.9.1). */
  boolean conflicts(String port, Cdb cdb) {
    if (type == 0 || holds(port)) {
      return false;
    }
    if (registrantsOnly(type) && registrations.containsKey(port)) {
      return false;
    }
    if (ReservationExemptions.exempt(cdb, ALWAYS_ALLOWED)) {
      return false;
    }
    return !READS.contains(cdb.opcode()) || exclusiveAccess(type);
  }

  // ---------------------------------------------------------------- PERSISTENT RESERVE IN

  byte[] in(PersistentReserveIn cdb) throws CheckCondition {
    return switch (cdb.serviceAction()) {
      case PersistentReserveIn.READ_KEYS ->
          new PersistentReserveInData.ReadKeys(generation, List.copyOf(registrations.values()))
              .encode();
      case PersistentReserveIn.READ_RESERVATION ->
          new PersistentReserveInData.ReadReservation(
                  generation,
                  type != 0,
                  type == 0 || allRegistrants(type) ? 0 : registrations.get(holder),
                  PersistentReserveOut.LU_SCOPE,
                  type)
              .encode();
      case PersistentReserveIn.REPORT_CAPABILITIES ->
          new ReportCapabilities(false, false, false, false, true, 0, false, TYPE_MASK).encode();
      case PersistentReserveIn.READ_FULL_STATUS -> fullStatus();
      default -> throw CheckCondition.invalidField(1, 4);
    };
  }

  private byte[] fullStatus() {
    List<PersistentReserveInData.Registrant> out = new ArrayList<>();
    for (Map.Entry<String, Long> r : registrations.entrySet()) {
      boolean holds = holds(r.getKey());
      out.add(
          new PersistentReserveInData.Registrant(
              r.getValue(),
              false,
              holds,
              PersistentReserveOut.LU_SCOPE,
              holds ? type : 0,
              1,
              r.getKey()));
    }
    return new PersistentReserveInData.FullStatus(generation, out).encode();
  }

  // ---------------------------------------------------------------- PERSISTENT RESERVE OUT

  void out(String port, PersistentReserveOut cdb, ByteBuffer dataOut)
      throws CheckCondition, ReservationConflict {
    int action = cdb.serviceAction();
    if (action > PersistentReserveOut.REGISTER_AND_IGNORE_EXISTING_KEY) {
      throw CheckCondition.invalidField(1, 4); // REGISTER AND MOVE is not served
    }
    if (cdb.parameterListLength() != PersistentReserveParameters.LENGTH
        || dataOut.remaining() != PersistentReserveParameters.LENGTH) {
      throw CheckCondition.parameterListLength();
    }
    byte[] list = new byte[PersistentReserveParameters.LENGTH];
    dataOut.duplicate().get(list);
    PersistentReserveParameters p = PersistentReserveParameters.decode(list);
    if (p.specifyInitiatorPorts()) {
      throw CheckCondition.invalidParameter(PersistentReserveParameters.FLAGS_OFFSET, 3); // SIP_C 0
    }
    if (p.allTargetPorts()) {
      throw CheckCondition.invalidParameter(PersistentReserveParameters.FLAGS_OFFSET, 2); // ATP_C 0
    }
    if (p.activatePersistThroughPowerLoss()) {
      throw CheckCondition.invalidParameter(
          PersistentReserveParameters.FLAGS_OFFSET, 0); // PTPL_C 0
    }
    Long mine = registrations.get(port);
    if (action == PersistentReserveOut.REGISTER
        || action == PersistentReserveOut.REGISTER_AND_IGNORE_EXISTING_KEY) {
      boolean ignore = action == PersistentReserveOut.REGISTER_AND_IGNORE_EXISTING_KEY;
      if (!ignore && p.reservationKey() != (mine == null ? 0 : mine)) {
        throw new ReservationConflict();
      }
      if (mine == null
          && p.serviceActionReservationKey() != 0
          && registrations.size() >= MAXIMUM_REGISTRATIONS
          && !forgetOneGone()) {
        throw CheckCondition.of(
            SenseKey.ILLEGAL_REQUEST, AdditionalSense.INSUFFICIENT_REGISTRATION_RESOURCES);
      }
      if (mine != null || p.serviceActionReservationKey() != 0) {
        register(port, p.serviceActionReservationKey());
      }
      return;
    }
    if (mine == null || mine != p.reservationKey()) {
      throw new ReservationConflict();
    }
    switch (action) {
      case PersistentReserveOut.RESERVE -> reserve(port, cdb);
      case PersistentReserveOut.RELEASE -> release(port, cdb);
      case PersistentReserveOut.CLEAR -> clear(port);
      default -> preempt(port, cdb, p.serviceActionReservationKey());
    }
  }

  /** REGISTER with a key, or with key 0 unregister; the holder's reservation may go with it. */
  private void register(String port, long key) {
    nextGeneration();
    if (key != 0) {
      registrations.put(port, key);
      return;
    }
    boolean held = holds(port);
    registrations.remove(port);
    if (held && (!allRegistrants(type) || registrations.isEmpty())) {
      // SPC-4 5.9.11.2: the holder's unregistration releases the reservation
      if (registrantsOnly(type)) {
        attentionToRegistrants(port, AdditionalSense.RESERVATIONS_RELEASED);
      }
      type = 0;
      holder = null;
    }
  }

  private void reserve(String port, PersistentReserveOut cdb)
      throws CheckCondition, ReservationConflict {
    checkScopeAndType(cdb);
    if (type != 0) {
      if (holds(port) && type == cdb.type()) {
        return; // the same reservation again
      }
      throw new ReservationConflict();
    }
    type = cdb.type();
    holder = port;
  }

  private void release(String port, PersistentReserveOut cdb) throws CheckCondition {
    if (type == 0 || !holds(port)) {
      return; // SPC-4 5.9.10.2: nothing to release is not an error
    }
    checkScopeAndType(cdb);
    if (cdb.type() != type) {
      throw CheckCondition.of(
          SenseKey.ILLEGAL_REQUEST, AdditionalSense.INVALID_RELEASE_OF_PERSISTENT_RESERVATION);
    }
    if (registrantsOnly(type)) {
      attentionToRegistrants(port, AdditionalSense.RESERVATIONS_RELEASED);
    }
    type = 0;
    holder = null;
  }

  /**
   * The operator's clear (the control API, not a nexus): as PERSISTENT RESERVE OUT CLEAR, every
   * registration and the reservation go and every registrant hears RESERVATIONS PREEMPTED.
   */
  void clearAll() {
    clear(null);
  }

  private void clear(String port) {
    attentionToRegistrants(port, AdditionalSense.RESERVATIONS_PREEMPTED);
    registrations.clear();
    type = 0;
    holder = null;
    nextGeneration();
  }

  /**
   * PREEMPT and PREEMPT AND ABORT (SPC-4 5.9.11.4): the registrations with the key go, and a
   * reservation held with it becomes this nexus's, of the CDB's type. Commands run to their end
   * here when taken, so PREEMPT AND ABORT has no task to abort.
   */
  private void preempt(String port, PersistentReserveOut cdb, long key)
      throws CheckCondition, ReservationConflict {
    checkScopeAndType(cdb);
    boolean takeReservation;
    if (type != 0 && allRegistrants(type)) {
      takeReservation = key == 0; // key 0 preempts every other registrant and the reservation
    } else {
      if (key == 0) {
        throw CheckCondition.invalidParameter(8, -1);
      }
      takeReservation = type != 0 && key == registrations.get(holder);
    }
    List<String> preempted = new ArrayList<>();
    for (Map.Entry<String, Long> r : registrations.entrySet()) {
      if (!r.getKey().equals(port) && (key == 0 || r.getValue() == key)) {
        preempted.add(r.getKey());
      }
    }
    if (preempted.isEmpty() && !takeReservation) {
      throw new ReservationConflict(); // SPC-4: no registration has that key
    }
    for (String other : preempted) {
      registrations.remove(other);
      unitAttention.accept(other, AdditionalSense.REGISTRATIONS_PREEMPTED);
    }
    if (takeReservation) {
      type = cdb.type();
      holder = port;
    }
    nextGeneration();
  }

  /**
   * Makes room in a full table: forgets the oldest registration of an initiator port with no nexus
   * connected now that holds no reservation, so hosts that registered from connections since closed
   * cannot keep every new host out. Returns false if every registrant is here.
   */
  private boolean forgetOneGone() {
    for (String port : registrations.keySet()) {
      if (!connected.test(port) && !holds(port)) {
        registrations.remove(port);
        return true;
      }
    }
    return false;
  }

  /** PRGENERATION is a 32-bit counter that wraps (SPC-4 6.15.2). */
  private void nextGeneration() {
    generation = (generation + 1) & 0xFFFF_FFFFL;
  }

  private void attentionToRegistrants(String except, AdditionalSense sense) {
    for (String other : registrations.keySet()) {
      if (!other.equals(except)) { // except is null for the operator's clear
        unitAttention.accept(other, sense);
      }
    }
  }

  private static void checkScopeAndType(PersistentReserveOut cdb) throws CheckCondition {
    if (cdb.scope() != PersistentReserveOut.LU_SCOPE) {
      throw CheckCondition.invalidField(PersistentReserveOut.SCOPE_TYPE_OFFSET, 7);
    }
    if (!PersistentReserveOut.validType(cdb.type())) {
      throw CheckCondition.invalidField(PersistentReserveOut.SCOPE_TYPE_OFFSET, 3);
    }
  }

  /** Whether {@code port} holds the reservation: its holder, or any registrant for AR types. */
  private boolean holds(String port) {
    if (type == 0) {
      return false;
    }
    return allRegistrants(type) ? registrations.containsKey(port) : port.equals(holder);
  }

  private static boolean allRegistrants(int type) {
    return type == WRITE_EXCLUSIVE_ALL_REGISTRANTS || type == EXCLUSIVE_ACCESS_ALL_REGISTRANTS;
  }

  /** The registrants-only and all-registrants types: registered nexuses get through. */
  private static boolean registrantsOnly(int type) {
    return type == WRITE_EXCLUSIVE_REGISTRANTS_ONLY
        || type == EXCLUSIVE_ACCESS_REGISTRANTS_ONLY
        || allRegistrants(type);
  }

  private static boolean exclusiveAccess(int type) {
    return type == EXCLUSIVE_ACCESS
        || type == EXCLUSIVE_ACCESS_REGISTRANTS_ONLY
        || type == EXCLUSIVE_ACCESS_ALL_REGISTRANTS;
  }
}
