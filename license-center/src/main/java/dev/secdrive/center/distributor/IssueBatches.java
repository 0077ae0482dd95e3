package dev.secdrive.center.distributor;

import static dev.secdrive.center.distributor.Distributor.conflict;
import static dev.secdrive.center.distributor.Distributor.forbidden;
import static dev.secdrive.center.distributor.Distributor.notFound;
import static dev.secdrive.center.distributor.Distributor.unauthorized;

import dev.secdrive.center.Refusal;
import dev.secdrive.center.distributor.Distributor.Caller;
import dev.secdrive.center.distributor.store.OperationsStore;
import dev.secdrive.center.distributor.store.OperationsStore.CheckedClient;
import dev.secdrive.center.distributor.store.OperationsStore.HistoryRow;
import dev.secdrive.center.distributor.store.PrivateStore;
import dev.secdrive.center.distributor.store.PrivateStore.CopySource;
import dev.secdrive.center.distributor.store.PrivateStore.NewBill;
import dev.secdrive.center.distributor.store.Rows.BillRow;
import dev.secdrive.center.distributor.store.Rows.ClientRow;
import dev.secdrive.center.distributor.store.Rows.ContentRow;
import dev.secdrive.center.distributor.store.Rows.CopyRow;
import dev.secdrive.center.distributor.store.Rows.LicenseRow;
import dev.secdrive.center.distributor.store.Rows.UserLicenseRow;
import dev.secdrive.center.store.Batcher;
import dev.secdrive.center.store.Batcher.Slot;
import dev.secdrive.center.store.Database;
import dev.secdrive.kit.crypto.Bytes;
import dev.secdrive.protocol.distributor.CopyPolicy;
import dev.secdrive.protocol.move.ContentsCopyCertificate;
import dev.secdrive.protocol.move.License;
import dev.secdrive.protocol.move.UseConditions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Licenses (S71-S85) and contents copy certificates (S121-S141) decided in batches ({@link
 * Batcher}): the requests waiting at a moment share one transaction of A and one of C, and each
 * statement serves all of them (an {@code IN} list, a JDBC batch), so a batch costs the round trips
 * and WAL flushes one request cost before.
 *
 * <p>Every check of a request is the one {@link Distributor} made alone, in the same order, on rows
 * read after the same locks (the users' rows in A, the source clients' rows in C); the requests of
 * a batch are decided one after the other on those rows, each seeing the bills and copies of those
 * decided before it, so a batch decides what the same requests in that order decided one by one. A
 * refused request writes and bills nothing, and its neighbours are written as if it had not come.
 * The batch answers after A's commit; the signatures are made afterwards by each caller, over what
 * its batch recorded ({@link LicenseGrant}, {@link CopyGrant}), so that they run on the callers'
 * threads in parallel while the next batch is at the database.
 *
 * <p>C commits inside A's transaction, so C's rows of a batch (its licenses in {@code
 * user_licenses}, its copies in {@code copy_history}, which spend the copy counts) exist before A's
 * commit is tried. If that commit fails, the batch fails (every caller gets 500) and a compensating
 * transaction of C deletes exactly the rows the batch wrote, by their serials ({@link
 * OperationsStore#withdraw}), so nothing of it stays written and no copy is spent. What that cannot
 * cover (the process ends between the two commits, or C fails at that moment) {@link #reconcile}
 * removes: the rows of C this distributor recorded more than {@link #RECONCILE_AFTER} ago that A
 * does not hold. It runs when the distributor starts and then at most once per {@link
 * #RECONCILE_AFTER}, in the first batch after it; the bound keeps it off a batch whose two commits
 * are still to come.
 */
final class IssueBatches {

  private static final HexFormat HEX = HexFormat.of();
  private static final String COPY_POLICY = "copy-policy";

  /**
   * How old a row of C must be before {@link #reconcile} may take its missing counterpart in A for
   * a batch that will never commit A: far above the time between a batch's two commits.
   */
  static final Duration RECONCILE_AFTER = Duration.ofMinutes(10);

  /** Serials read from C, then looked up in A, at a time. */
  private static final int RECONCILE_PAGE = 500;

  private static final Logger log = LoggerFactory.getLogger(IssueBatches.class);

  /** A request of a batch: who asks, and what. */
  interface Order {
    Caller caller();
  }

  /** A license asked for one of the caller's clients. */
  record LicenseOrder(Caller caller, String contentId, String clientId) implements Order {}

  /** A copy certificate asked from the caller's license to another of its clients. */
  record CopyOrder(Caller caller, String licenseSerial, String destinationClientId)
      implements Order {}

  /** A license recorded and billed: what its signature covers (S79-S82). */
  record LicenseGrant(
      byte[] serial,
      String licenseId,
      String contentId,
      long leafId,
      UseConditions conditions,
      BillRow bill) {}

  /** A copy certificate recorded and billed: what its two signatures cover (S135-S140). */
  record CopyGrant(
      byte[] certificateSerial,
      byte[] licenseSerial,
      String licenseId,
      String contentId,
      long sourceLeafId,
      long destinationLeafId,
      UseConditions conditions,
      BillRow bill) {}

  private final String distributor;
  private final Database a;
  private final Database c;
  private final Supplier<Instant> now;
  private final Batcher<LicenseOrder, LicenseGrant> licenses;
  private final Batcher<CopyOrder, CopyGrant> copies;

  /** When the next {@link #reconcile} is due: the first batch from then runs it. */
  private final AtomicReference<Instant> reconcileDue = new AtomicReference<>(Instant.MIN);

  /**
   * @param distributor this distributor's name, as C records it
   * @param maxRunning batches of licenses, and of copies, running at once
   * @param executor runs the batches: 2 × {@code maxRunning} may run at once
   */
  IssueBatches(
      String distributor,
      Database a,
      Database c,
      Supplier<Instant> now,
      Executor executor,
      int maxBatch,
      int maxRunning) {
    this.distributor = distributor;
    this.a = a;
    this.c = c;
    this.now = now;
    this.licenses = new Batcher<>(maxBatch, maxRunning, executor, this::issueLicenses);
    this.copies = new Batcher<>(maxBatch, maxRunning, executor, this::issueCopies);
  }

  LicenseGrant license(LicenseOrder order) {
    return licenses.submit(order);
  }

  CopyGrant copy(CopyOrder order) {
    return copies.submit(order);
  }

  // ------------------------------------------------------------------ reconciliation with A

  /**
   * Deletes the rows of C this distributor recorded before {@code at} − {@link #RECONCILE_AFTER}
   * whose serial A does not hold: the licenses and copies of batches (or single updates) whose
   * transaction of A did not commit after C's had, left by a crash between the two commits or by a
   * compensation that could not reach C. A copy so removed gives its copy count back.
   *
   * @return the rows of C deleted
   * @throws dev.secdrive.center.store.StoreException if A or C fails (what was deleted stays so)
   */
  int reconcile(Instant at) {
    Instant before = at.minus(RECONCILE_AFTER);
    return reconcile(true, before) + reconcile(false, before);
  }

  private int reconcile(boolean copyRows, Instant before) {
    int deleted = 0;
    String after = "";
    while (true) {
      String from = after;
      List<String> page =
          c.read(
              "list the rows of C to reconcile",
              cc ->
                  OperationsStore.recordedBefore(
                      cc, copyRows, distributor, before, from, RECONCILE_PAGE));
      if (page.isEmpty()) {
        return deleted;
      }
      Set<String> held =
          a.read("reconcile C with A", ca -> PrivateStore.recorded(ca, copyRows, page));
      List<String> orphans = new ArrayList<>();
      for (String serial : page) {
        if (!held.contains(serial)) {
          orphans.add(serial);
        }
      }
      if (!orphans.isEmpty()) {
        deleted += withdraw(copyRows ? List.of() : orphans, copyRows ? orphans : List.of());
      }
      if (page.size() < RECONCILE_PAGE) {
        return deleted;
      }
      after = page.get(page.size() - 1);
    }
  }

  /**
   * Runs {@link #reconcile} if it is due (at the first call, then {@link #RECONCILE_AFTER} after
   * the last), on the caller's thread; a failure is logged, and the next one due tries again.
   */
  void reconcileIfDue(Instant at) {
    Instant due = reconcileDue.get();
    if (at.isBefore(due) || !reconcileDue.compareAndSet(due, at.plus(RECONCILE_AFTER))) {
      return;
    }
    try {
      int deleted = reconcile(at);
      if (deleted > 0) {
        log.warn(
            "{}: deleted {} rows of C whose transaction of A had not committed",
            distributor,
            deleted);
      }
    } catch (RuntimeException e) {
      log.warn("{}: cannot reconcile C with A now: {}", distributor, e.toString());
    }
  }

  /** Deletes this distributor's rows of C with these serials ({@link OperationsStore#withdraw}). */
  private int withdraw(List<String> licenseSerials, List<String> copySerials) {
    return c.read(
        "delete the rows of C whose transaction of A did not commit",
        cc -> OperationsStore.withdraw(cc, distributor, licenseSerials, copySerials));
  }

  /**
   * Runs {@code batch} (A's transaction, C's inside it); if A's commit fails after C's, deletes
   * what C committed of it ({@code written}: the license serials, then the copy serials, filled in
   * once C has committed) and fails as A's commit did. If C cannot be reached for it either, the
   * rows wait for {@link #reconcile}.
   */
  private void compensated(Instant at, Consumer<List<List<String>>> batch) {
    reconcileIfDue(at);
    List<List<String>> written = new ArrayList<>();
    try {
      batch.accept(written);
    } catch (RuntimeException failure) {
      if (!written.isEmpty()) {
        withdrawAfter(failure, written.get(0), written.get(1));
      }
      throw failure;
    }
  }

  /**
   * The compensation of a transaction of A that failed ({@code failure}) after C's had committed
   * these rows: deletes them; if C fails too, its failure is added to {@code failure}'s suppressed
   * ones and the rows wait for {@link #reconcile}.
   */
  void withdrawAfter(
      RuntimeException failure, List<String> licenseSerials, List<String> copySerials) {
    try {
      withdraw(licenseSerials, copySerials);
    } catch (RuntimeException e) {
      failure.addSuppressed(e);
    }
  }

  // ------------------------------------------------------------------ licenses (S71-S85)

  private void issueLicenses(List<Slot<LicenseOrder, LicenseGrant>> batch) {
    Instant at = now.get();
    compensated(at, written -> issueLicenses(batch, at, written));
  }

  private void issueLicenses(
      List<Slot<LicenseOrder, LicenseGrant>> batch, Instant at, List<List<String>> written) {
    a.read(
        "issue licenses",
        ca -> {
          Map<Slot<?, ?>, String> users = authenticate(ca, batch, at);
          Set<String> contentIds = new HashSet<>();
          Set<String> clientIds = new HashSet<>();
          for (var slot : batch) {
            contentIds.add(slot.request().contentId());
            clientIds.add(slot.request().clientId());
          }
          Map<String, ContentRow> contents = PrivateStore.contents(ca, contentIds);
          Set<String> known = PrivateStore.lockUsers(ca, users.values());
          // After the locks: every bill committed before them is counted.
          Map<String, Long> owed = PrivateStore.owed(ca, known);
          List<UserLicenseRow> held = new ArrayList<>();
          c.read(
              "record licenses",
              cc -> {
                Map<String, CheckedClient> clients =
                    OperationsStore.checkedClients(cc, clientIds, false);
                List<Pending<LicenseRow, LicenseGrant>> issued = new ArrayList<>();
                for (var slot : batch) {
                  String userId = users.get(slot);
                  if (userId == null) {
                    continue;
                  }
                  LicenseOrder order = slot.request();
                  try {
                    ContentRow content = contents.get(order.contentId());
                    if (content == null) {
                      throw notFound("no content " + order.contentId() + " in the catalog");
                    }
                    if (!known.contains(userId)) {
                      throw notFound("no user " + userId + " here");
                    }
                    Distributor.refuseUnpaid(userId, owed.getOrDefault(userId, 0L));
                    ClientRow client = ownClient(clients, userId, order.clientId());
                    byte[] serial = Bytes.random(License.SERIAL_LENGTH);
                    UseConditions conditions = Distributor.conditions(content.terms(), at);
                    String hex = HEX.formatHex(serial);
                    held.add(
                        new UserLicenseRow(
                            hex,
                            userId,
                            content.licenseId(),
                            content.contentId(),
                            client.clientId(),
                            distributor,
                            content.terms().copies(),
                            at));
                    owed.merge(userId, content.priceCents(), Long::sum);
                    LicenseRow row =
                        licenseRow(
                            hex,
                            content.licenseId(),
                            content.contentId(),
                            userId,
                            client,
                            conditions,
                            "purchase",
                            at);
                    NewBill bill =
                        content.priceCents() == 0
                            ? null
                            : new NewBill(userId, "purchase", hex, content.priceCents());
                    issued.add(
                        new Pending<>(
                            slot,
                            row,
                            bill,
                            b ->
                                new LicenseGrant(
                                    serial,
                                    content.licenseId(),
                                    content.contentId(),
                                    client.leafId(),
                                    conditions,
                                    b)));
                  } catch (Refusal r) {
                    slot.refuse(r);
                  }
                }
                OperationsStore.insertUserLicenses(cc, held);
                // A's bills and licenses written; C commits when this returns, A last.
                PrivateStore.insertLicenses(ca, billed(ca, issued, LicenseRow::withBill, at));
                return null;
              });
          written.add(serials(held, UserLicenseRow::serial));
          written.add(List.of());
          return null;
        });
  }

  // ------------------------------------------------------------------ copies (S121-S141)

  private void issueCopies(List<Slot<CopyOrder, CopyGrant>> batch) {
    Instant at = now.get();
    compensated(at, written -> issueCopies(batch, at, written));
  }

  private void issueCopies(
      List<Slot<CopyOrder, CopyGrant>> batch, Instant at, List<List<String>> written) {
    a.read(
        "issue copy certificates",
        ca -> {
          Map<Slot<?, ?>, String> users = authenticate(ca, batch, at);
          // The users' rows locked first, then license, content, policy and credit in one read.
          Set<String> known = PrivateStore.lockUsers(ca, users.values());
          Set<String> serials = new HashSet<>();
          batch.forEach(s -> serials.add(s.request().licenseSerial()));
          Map<String, CopySource> sources = PrivateStore.copySources(ca, serials, COPY_POLICY);
          Map<String, Long> owed = new HashMap<>();
          Set<String> clientIds = new HashSet<>();
          for (var slot : batch) {
            clientIds.add(slot.request().destinationClientId());
            CopySource source = sources.get(slot.request().licenseSerial());
            if (source != null) {
              clientIds.add(source.license().clientId());
              owed.putIfAbsent(source.license().userId(), source.owedCents());
            }
          }
          List<UserLicenseRow> held = new ArrayList<>();
          List<HistoryRow> history = new ArrayList<>();
          c.read(
              "record copy certificates",
              cc -> {
                // The source clients' rows locked first: their copy counts are read after.
                Map<String, CheckedClient> clients =
                    OperationsStore.checkedClients(cc, clientIds, true);
                Set<OperationsStore.CountedLicense> counted = new HashSet<>();
                for (CopySource s : sources.values()) {
                  counted.add(
                      new OperationsStore.CountedLicense(
                          s.license().clientId(), s.license().licenseId()));
                }
                Map<OperationsStore.CountedLicense, Long> issuedSoFar =
                    OperationsStore.copiesIssued(cc, counted);
                List<Pending<CopyRow, CopyGrant>> issued = new ArrayList<>();
                List<LicenseRow> forB = new ArrayList<>();
                for (var slot : batch) {
                  String userId = users.get(slot);
                  if (userId == null) {
                    continue;
                  }
                  CopyOrder order = slot.request();
                  try {
                    if (!known.contains(userId)) {
                      throw notFound("no user " + userId + " here");
                    }
                    CopySource copy = sources.get(order.licenseSerial());
                    if (copy == null) {
                      throw notFound("no license " + order.licenseSerial() + " issued here");
                    }
                    LicenseRow source = copy.license();
                    if (!source.userId().equals(userId)) {
                      throw forbidden("license " + order.licenseSerial() + " is not yours");
                    }
                    if (copy.contentPriceCents() == null) {
                      throw notFound("no content " + source.contentId());
                    }
                    long price =
                        copy.policy()
                            .map(CopyPolicy::parse)
                            .orElse(CopyPolicy.FULL)
                            .priceOf(copy.contentPriceCents());
                    Distributor.refuseUnpaid(userId, owed.getOrDefault(userId, 0L));
                    ClientRow from = ownClient(clients, userId, source.clientId());
                    ClientRow to = ownClient(clients, userId, order.destinationClientId());
                    if (from.clientId().equals(to.clientId())) {
                      throw conflict(
                          "the destination client is the license's own client " + from.clientId());
                    }
                    var key =
                        new OperationsStore.CountedLicense(from.clientId(), source.licenseId());
                    long count = issuedSoFar.getOrDefault(key, 0L);
                    if (count >= source.copies()) {
                      throw conflict(
                          "license "
                              + source.licenseId()
                              + " of client "
                              + from.clientId()
                              + " has no copy certificates left ("
                              + count
                              + " of "
                              + source.copies()
                              + " issued)");
                    }
                    issuedSoFar.put(key, count + 1);
                    owed.merge(userId, price, Long::sum);
                    // The license for B: the source's period and plays, no copies of its own.
                    UseConditions conditions =
                        new UseConditions(
                            source.notBefore(), source.notAfter(), source.plays(), 0, 0);
                    byte[] certificateSerial = Bytes.random(ContentsCopyCertificate.SERIAL_LENGTH);
                    byte[] licenseSerial = Bytes.random(License.SERIAL_LENGTH);
                    String serial = HEX.formatHex(certificateSerial);
                    String licenseB = HEX.formatHex(licenseSerial);
                    held.add(
                        new UserLicenseRow(
                            licenseB,
                            userId,
                            source.licenseId(),
                            source.contentId(),
                            to.clientId(),
                            distributor,
                            0,
                            at));
                    history.add(
                        new HistoryRow(
                            serial,
                            licenseB,
                            source.licenseId(),
                            source.contentId(),
                            userId,
                            from.clientId(),
                            to.clientId(),
                            distributor,
                            at));
                    forB.add(
                        licenseRow(
                            licenseB,
                            source.licenseId(),
                            source.contentId(),
                            userId,
                            to,
                            conditions,
                            "copy",
                            at));
                    CopyRow row =
                        new CopyRow(
                            serial,
                            source.serial(),
                            licenseB,
                            source.contentId(),
                            userId,
                            from.clientId(),
                            to.clientId(),
                            0,
                            at);
                    NewBill bill = price == 0 ? null : new NewBill(userId, "copy", serial, price);
                    issued.add(
                        new Pending<>(
                            slot,
                            row,
                            bill,
                            b ->
                                new CopyGrant(
                                    certificateSerial,
                                    licenseSerial,
                                    source.licenseId(),
                                    source.contentId(),
                                    from.leafId(),
                                    to.leafId(),
                                    conditions,
                                    b)));
                  } catch (Refusal r) {
                    slot.refuse(r);
                  }
                }
                OperationsStore.insertUserLicenses(cc, held);
                OperationsStore.insertCopies(cc, history);
                // A's bills, licenses for B and copies written; C commits on return, A last.
                List<CopyRow> rows = billed(ca, issued, CopyRow::withBill, at);
                PrivateStore.insertLicenses(ca, forB);
                PrivateStore.insertCopies(ca, rows);
                return null;
              });
          written.add(serials(held, UserLicenseRow::serial));
          written.add(serials(history, HistoryRow::serial));
          return null;
        });
  }

  // ------------------------------------------------------------------ helpers

  private static <T> List<String> serials(List<T> rows, Function<T, String> serial) {
    List<String> serials = new ArrayList<>();
    rows.forEach(r -> serials.add(serial.apply(r)));
    return serials;
  }

  /**
   * The user of every slot: a checked user as it is, a session token looked up for all of the batch
   * in one read of A's transaction, so a session ended before it authenticates nothing. Slots whose
   * token is unknown or expired are refused (401) and missing from the answer.
   */
  private static Map<Slot<?, ?>, String> authenticate(
      Connection ca, List<? extends Slot<? extends Order, ?>> batch, Instant at)
      throws SQLException {
    Map<Slot<?, ?>, String> hashes = new HashMap<>();
    for (var slot : batch) {
      if (slot.request().caller() instanceof Caller.Token t) {
        hashes.put(slot, Distributor.sha256(t.token()));
      }
    }
    Map<String, String> sessions =
        PrivateStore.sessionUsers(ca, new HashSet<>(hashes.values()), at);
    Map<Slot<?, ?>, String> users = new HashMap<>();
    for (var slot : batch) {
      if (slot.request().caller() instanceof Caller.User u) {
        users.put(slot, u.userId());
        continue;
      }
      String user = sessions.get(hashes.get(slot));
      if (user == null) {
        slot.refuse(unauthorized("the session token is unknown or expired"));
      } else {
        users.put(slot, user);
      }
    }
    return users;
  }

  /** A request decided: the row to write in A once its bill (if any) has its ID, and its grant. */
  private record Pending<R, A>(Slot<?, A> slot, R row, NewBill bill, Function<BillRow, A> grant) {}

  /**
   * Writes the bills of {@code issued} in one batch, answers each slot with its grant and returns
   * the rows to write, each with its bill's ID ({@code withBill}).
   */
  private static <R, A> List<R> billed(
      Connection ca, List<Pending<R, A>> issued, BiFunction<R, Long, R> withBill, Instant at)
      throws SQLException {
    List<NewBill> bills = new ArrayList<>();
    for (var p : issued) {
      if (p.bill() != null) {
        bills.add(p.bill());
      }
    }
    List<BillRow> written = PrivateStore.insertBills(ca, bills, at);
    List<R> rows = new ArrayList<>();
    int next = 0;
    for (var p : issued) {
      BillRow bill = p.bill() == null ? null : written.get(next++);
      rows.add(bill == null ? p.row() : withBill.apply(p.row(), bill.billId()));
      p.slot().answer(p.grant().apply(bill));
    }
    return rows;
  }

  private static LicenseRow licenseRow(
      String serial,
      String licenseId,
      String contentId,
      String userId,
      ClientRow client,
      UseConditions u,
      String kind,
      Instant at) {
    return new LicenseRow(
        serial,
        licenseId,
        contentId,
        userId,
        client.clientId(),
        client.leafId(),
        u.notBefore(),
        u.notAfter(),
        u.plays(),
        u.copyCertificates(),
        u.removableCopies(),
        kind,
        null,
        0,
        at);
  }

  /** A client of {@code userId} that is not revoked: the checks of S73 and S125-S128. */
  private static ClientRow ownClient(
      Map<String, CheckedClient> clients, String userId, String clientId) {
    CheckedClient checked = clients.get(clientId);
    if (checked == null) {
      throw notFound("no client " + clientId + " in the federation");
    }
    if (!checked.client().userId().equals(userId)) {
      throw forbidden("client " + clientId + " is not yours");
    }
    if (checked.revoked()) {
      throw forbidden("client " + clientId + " is revoked");
    }
    return checked.client();
  }
}
