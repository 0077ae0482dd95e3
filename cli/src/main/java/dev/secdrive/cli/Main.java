package dev.secdrive.cli;

import dev.secdrive.center.CenterSetupException;
import dev.secdrive.center.Refusal;
import dev.secdrive.center.store.StoreException;
import dev.secdrive.emulator.firmware.DriveControlException;
import dev.secdrive.emulator.media.MediumException;
import dev.secdrive.emulator.secure.DriveStateException;
import dev.secdrive.emulator.secure.KeyFileException;
import dev.secdrive.host.api.DriveException;
import dev.secdrive.kit.http.JsonServer;
import dev.secdrive.profiles.ProfileException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code secdrive} command. */
@Command(
    name = "secdrive",
    mixinStandardHelpOptions = true,
    version = "secdrive 0.1.0",
    description =
        "Hardware-in-the-loop emulator of secure removable-media drives, and its host driver.",
    subcommands = {
      ServeCommand.class,
      MediaCommand.class,
      DriveCommand.class,
      ControlCommand.class,
      ProfilesCommand.class,
      RelayCommand.class,
      LicenseCommand.class,
      AuthorityCommand.class,
      CenterCommand.class,
      DistributorCommand.class,
      ClientCommand.class,
      MasterCommand.class,
      UserKeyCommand.class,
      CopyCommand.class,
      RunCommand.class,
      CddaCommand.class,
      WatermarkCommand.class,
      RipCommand.class,
      DemoCommand.class,
      BenchCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main {

  public static void main(String[] args) {
    System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
  }

  /**
   * Keeps the HTTP request log of the servers this process starts from here on out of its output:
   * the demo and the benchmark start license servers for their own use, and their request lines
   * would bury what the command prints. A logger made before this call keeps its level.
   */
  static void quietRequestLog() {
    System.setProperty("org.slf4j.simpleLogger.log." + JsonServer.REQUEST_LOG, "warn");
  }

  /** Runs the command line with the given streams; returns the exit code. */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine commandLine = new CommandLine(new Main());
    commandLine.setOut(out);
    commandLine.setErr(err);
    commandLine.setCaseInsensitiveEnumValuesAllowed(true);
    commandLine.setExecutionExceptionHandler(
        (e, line, parseResult) -> {
          line.getErr().println("secdrive: " + describe(e));
          if (System.getenv("SECDRIVE_DEBUG") != null) {
            e.printStackTrace(line.getErr());
          }
          line.getErr().flush();
          return 1;
        });
    return commandLine.execute(args);
  }

  /** A one-line description: the message of errors we expect, type and message of the rest. */
  static String describe(Throwable e) {
    if (e instanceof DriveException
        || e instanceof MediumException
        || e instanceof ProfileException
        || e instanceof DriveControlException
        || e instanceof KeyFileException
        || e instanceof DriveStateException
        || e instanceof CenterSetupException
        || e instanceof StoreException
        || e instanceof Refusal
        || e instanceof IllegalArgumentException
        || e instanceof CliException) {
      return e.getMessage();
    }
    Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
    if (cause instanceof FileSystemException f) {
      String reason =
          f instanceof AccessDeniedException
              ? "permission denied"
              : f instanceof NoSuchFileException
                  ? "no such file or directory"
                  : f.getReason() != null ? f.getReason() : f.getClass().getSimpleName();
      return "cannot use " + f.getFile() + ": " + reason;
    }
    if (e instanceof UncheckedIOException u) {
      return u.getCause().getMessage();
    }
    return e + " (set SECDRIVE_DEBUG=1 for the stack trace)";
  }
}
