package dev.secdrive.emulator.endpoint.iscsi;

import dev.secdrive.emulator.firmware.Firmware;
import dev.secdrive.protocol.iscsi.IscsiPdu.TaskManagementRequest;
import dev.secdrive.protocol.iscsi.IscsiPdu.TaskManagementResponse;
import dev.secdrive.protocol.iscsi.Lun;
import dev.secdrive.protocol.iscsi.PduException;
import dev.secdrive.protocol.iscsi.TaskFunction;
import java.util.Collection;
import java.util.OptionalInt;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Task management (RFC 7143 sections 11.5 and 11.6, SAM-5 clause 7) for a portal's sessions:
 *
 * <ul>
 *   <li>ABORT TASK: the referenced task of the requesting session, whichever of its connections it
 *       came on, if the LUN matches, ends without a SCSI Response. A task that does not exist but
 *       whose RefCmdSN lies in the window before the request's CmdSN has not arrived yet: its CmdSN
 *       counts as received and the command is dropped when it comes (section 11.5.1 b). Otherwise
 *       "task does not exist".
 *   <li>ABORT TASK SET: every task of the requesting session (its I_T nexus) on the LUN.
 *   <li>CLEAR TASK SET: every task on the LUN, of every session; a session that lost tasks to
 *       another initiator gets UNIT ATTENTION 2F/00 (SAM-5 7.4, TAS=0).
 *   <li>LOGICAL UNIT RESET: as CLEAR TASK SET, then the unit resets ({@link Firmware#reset}:
 *       PREVENT ends, UNIT ATTENTION 29/03 for every nexus).
 *   <li>TARGET WARM RESET: every task of every session, every unit reset, as LOGICAL UNIT RESET of
 *       every LUN, which any initiator may do. TARGET COLD RESET the same, then every connection of
 *       every session closes once the response is out; since that ends other initiators' sessions
 *       it is answered "authorization failed" unless the portal allows it.
 *   <li>CLEAR ACA: "function not supported" (the emulator never establishes an ACA, NACA=0); TASK
 *       REASSIGN: "task reassignment not supported" (ErrorRecoveryLevel 0).
 * </ul>
 *
 * A LUN with no drive is answered "LUN does not exist". Sessions live on different event loops:
 * what concerns another session runs on its loop, and the response goes out on the requester's once
 * every session has done its part, so it never overtakes the aborts it reports.
 */
final class TaskManager {

  private static final Logger log = LoggerFactory.getLogger(TaskManager.class);

  private final Portal portal;

  TaskManager(Portal portal) {
    this.portal = portal;
  }

  /**
   * Carries out {@code request} of {@code session}, which came on {@code connection}; {@code
   * respond} gets the response code, on the session's event loop. Called on that loop.
   */
  void handle(
      IscsiSession session,
      IscsiConnection connection,
      TaskManagementRequest request,
      IntConsumer respond) {
    OptionalInt lun = lun(request);
    switch (request.function()) {
      case ABORT_TASK -> respond.accept(abortTask(session, request));
      case ABORT_TASK_SET -> {
        if (unit(lun) == null) {
          respond.accept(TaskManagementResponse.LUN_DOES_NOT_EXIST);
          return;
        }
        session.abortTasks(lun);
        respond.accept(TaskManagementResponse.FUNCTION_COMPLETE);
      }
      case CLEAR_TASK_SET -> {
        Firmware unit = unit(lun);
        if (unit == null) {
          respond.accept(TaskManagementResponse.LUN_DOES_NOT_EXIST);
          return;
        }
        acrossSessions(
            session,
            other -> {
              int aborted = other.abortTasks(lun);
              if (aborted > 0 && other != session) {
                unit.commandsCleared(other.nexus());
              }
              return aborted;
            },
            () -> respond.accept(TaskManagementResponse.FUNCTION_COMPLETE));
      }
      case LOGICAL_UNIT_RESET -> {
        Firmware unit = unit(lun);
        if (unit == null) {
          respond.accept(TaskManagementResponse.LUN_DOES_NOT_EXIST);
          return;
        }
        acrossSessions(
            session,
            other -> other.abortTasks(lun),
            () -> {
              unit.reset();
              respond.accept(TaskManagementResponse.FUNCTION_COMPLETE);
            });
      }
      case TARGET_WARM_RESET, TARGET_COLD_RESET -> {
        boolean cold = request.function() == TaskFunction.TARGET_COLD_RESET;
        if (cold && !portal.coldResets()) {
          log.warn("{}: TARGET COLD RESET refused: not allowed on this portal", session);
          respond.accept(TaskManagementResponse.AUTHORIZATION_FAILED);
          return;
        }
        log.warn("{}: {} of the whole target", session, request.function());
        acrossSessions(
            session,
            other -> other.abortTasks(OptionalInt.empty()),
            () -> {
              portal.target().units().values().forEach(Firmware::reset);
              respond.accept(TaskManagementResponse.FUNCTION_COMPLETE);
              if (cold) {
                // Section 11.5.1: after a cold reset the target drops every connection.
                session.closeAfterFlush(connection);
                for (IscsiSession other : portal.sessions().all()) {
                  if (other != session) {
                    other.reinstated();
                  }
                }
              }
            });
      }
      case CLEAR_ACA -> respond.accept(TaskManagementResponse.FUNCTION_NOT_SUPPORTED);
      case TASK_REASSIGN -> respond.accept(TaskManagementResponse.REASSIGNMENT_NOT_SUPPORTED);
    }
  }

  private int abortTask(IscsiSession session, TaskManagementRequest request) {
    OptionalInt lun = lun(request);
    if (lun.isPresent() && session.abortTask(request.referencedTaskTag(), lun.getAsInt())) {
      return TaskManagementResponse.FUNCTION_COMPLETE;
    }
    CommandWindow window = session.window();
    // An immediate request carries the CmdSN the initiator numbers its next command with; a
    // non-immediate one comes in CmdSN order, so whatever its RefCmdSN names has come before it.
    int requestCmdSn = request.cmdSn();
    if (window.inWindow(request.refCmdSn()) && request.refCmdSn() - requestCmdSn < 0) {
      window.abortBeforeArrival(request.refCmdSn());
      return TaskManagementResponse.FUNCTION_COMPLETE;
    }
    return TaskManagementResponse.TASK_DOES_NOT_EXIST;
  }

  /** The LUN a request names, empty when its LUN field is not one the emulator can address. */
  private static OptionalInt lun(TaskManagementRequest request) {
    try {
      int lun = Lun.decode(request.lun());
      return lun >= 0 && lun <= 0xFF ? OptionalInt.of(lun) : OptionalInt.empty();
    } catch (PduException e) {
      return OptionalInt.empty();
    }
  }

  private Firmware unit(OptionalInt lun) {
    return lun.isEmpty() ? null : portal.target().unit(lun.getAsInt());
  }

  /**
   * Runs {@code action} for every live session on that session's event loop (the requester's too,
   * even if it is not in the table), then {@code then} on the requester's loop.
   */
  private static void acrossSessions(
      IscsiSession requester, ToIntFunction<IscsiSession> action, Runnable then) {
    Collection<IscsiSession> others =
        requester.portal().sessions().all().stream().filter(s -> s != requester).toList();
    action.applyAsInt(requester);
    AtomicInteger remaining = new AtomicInteger(others.size() + 1);
    Runnable done =
        () -> {
          if (remaining.decrementAndGet() == 0) {
            if (requester.executor().inEventLoop()) {
              then.run();
            } else {
              requester.executor().execute(then);
            }
          }
        };
    for (IscsiSession other : others) {
      try {
        other
            .executor()
            .execute(
                () -> {
                  try {
                    action.applyAsInt(other);
                  } finally {
                    done.run();
                  }
                });
      } catch (RejectedExecutionException e) {
        done.run(); // its event loop has shut down, and the session with it
      }
    }
    done.run();
  }
}
