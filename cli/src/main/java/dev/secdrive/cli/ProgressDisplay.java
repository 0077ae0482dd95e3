package dev.secdrive.cli;

import dev.secdrive.host.flow.Progress;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar on the command's error stream for long transfers: shown when the session is
 * interactive or {@code --progress} asks for it, never with {@code --json}, so scripts and pipes
 * get clean output.
 */
final class ProgressDisplay implements AutoCloseable {

  private static final int WIDTH = 100;

  private final ProgressBar bar;

  private ProgressDisplay(ProgressBar bar) {
    this.bar = bar;
  }

  /** A bar for {@code task}, or one that shows nothing. */
  static ProgressDisplay open(PrintWriter err, String task, boolean forced, boolean json) {
    boolean interactive = System.console() != null;
    if (json || !(forced || interactive)) {
      return new ProgressDisplay(null);
    }
    PrintStream stream = new PrintStream(new WriterStream(err), true, StandardCharsets.UTF_8);
    ProgressBar bar =
        new ProgressBarBuilder()
            .setTaskName(task)
            .setInitialMax(0)
            .setUnit("MiB", 1 << 20)
            .showSpeed()
            .setStyle(
                interactive ? ProgressBarStyle.COLORFUL_UNICODE_BLOCK : ProgressBarStyle.ASCII)
            .setUpdateIntervalMillis(200)
            .setConsumer(new ConsoleProgressBarConsumer(stream, WIDTH))
            .build();
    return new ProgressDisplay(bar);
  }

  /** The host-driver's progress callbacks, drawn on this bar. */
  Progress listener() {
    if (bar == null) {
      return Progress.NONE;
    }
    return (done, total) -> {
      bar.maxHint(total);
      bar.stepTo(done);
    };
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
    }
  }

  /** Bytes to a PrintWriter, decoded as UTF-8 across write boundaries. */
  private static final class WriterStream extends OutputStream {
    private final PrintWriter writer;
    private final CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    private final ByteBuffer pending = ByteBuffer.allocate(8);
    private final CharBuffer chars = CharBuffer.allocate(8);

    WriterStream(PrintWriter writer) {
      this.writer = writer;
    }

    @Override
    public synchronized void write(int b) {
      pending.put((byte) b);
      pending.flip();
      decoder.decode(pending, chars, false);
      pending.compact();
      chars.flip();
      writer.append(chars);
      chars.clear();
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      for (int i = 0; i < len; i++) {
        write(b[off + i]);
      }
      writer.flush();
    }

    @Override
    public void flush() {
      writer.flush();
    }
  }
}
