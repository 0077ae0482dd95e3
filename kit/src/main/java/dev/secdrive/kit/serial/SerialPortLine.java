package dev.secdrive.kit.serial;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import jssc.SerialPort;
import jssc.SerialPortException;

/**
 * A serial port as a link line, through jssc. Opening checks what a person can get wrong — the
 * path, the baud rate, a port another program holds — and says so.
 */
public final class SerialPortLine implements Line {

  /** Rates a UART and the usual USB-serial adapters offer. */
  public static final List<Integer> BAUD_RATES =
      List.of(1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600);

  private final SerialPort port;
  private final FileChannel lockChannel;

  private SerialPortLine(SerialPort port, FileChannel lockChannel) {
    this.port = port;
    this.lockChannel = lockChannel;
  }

  /**
   * Opens {@code device} at {@code baud}, 8N1, no flow control.
   *
   * @throws IOException naming the device and what is wrong
   */
  public static SerialPortLine open(String device, int baud) throws IOException {
    if (!BAUD_RATES.contains(baud)) {
      throw new IOException(
          "unsupported baud rate " + baud + " for " + device + " (supported: " + BAUD_RATES + ")");
    }
    Path path = Path.of(device);
    if (!Files.exists(path)) {
      throw new IOException("serial port " + device + " does not exist");
    }
    if (Files.isDirectory(path) || Files.isRegularFile(path) || !isTerminal(path)) {
      throw new IOException(device + " is not a serial port (not a tty)");
    }
    // A pseudo-terminal can be opened twice; an advisory lock makes a second secdrive process
    // (an emulator and a host on the same end, say) fail at once instead of sharing the line.
    FileChannel lockChannel =
        FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
    try {
      if (lockChannel.tryLock() == null) {
        lockChannel.close();
        throw new IOException(
            "serial port " + device + " is busy (another secdrive process has it open)");
      }
    } catch (OverlappingFileLockException e) {
      lockChannel.close();
      throw new IOException("serial port " + device + " is busy (already open in this process)", e);
    }
    SerialPort port = new SerialPort(device);
    try {
      port.openPort();
    } catch (SerialPortException e) {
      lockChannel.close();
      throw new IOException(describe(device, e), e);
    }
    try {
      // setParams fails on pseudo-terminals, which have no baud rate; that is not an error there.
      port.setParams(baud, SerialPort.DATABITS_8, SerialPort.STOPBITS_1, SerialPort.PARITY_NONE);
      port.setFlowControlMode(SerialPort.FLOWCONTROL_NONE);
    } catch (SerialPortException ignored) {
      // as above
    }
    try {
      // Bytes a previous user left in the line are not ours to deliver.
      port.purgePort(SerialPort.PURGE_RXCLEAR | SerialPort.PURGE_TXCLEAR);
    } catch (SerialPortException ignored) {
      // nothing to purge on some devices
    }
    return new SerialPortLine(port, lockChannel);
  }

  /**
   * Whether {@code path} (after symlinks, e.g. /dev/serial/by-id/...) names a terminal device: Java
   * cannot ask isatty(3) of a path, so go by the kernel's names for them.
   */
  static boolean isTerminal(Path path) {
    try {
      String real = path.toRealPath().toString();
      return real.matches("/dev/(pts/\\d+|tty[A-Za-z0-9._-]*|cu\\.[A-Za-z0-9._-]+|rfcomm\\d+)");
    } catch (IOException e) {
      return false;
    }
  }

  private static String describe(String device, SerialPortException e) {
    String type = e.getExceptionType();
    if (SerialPortException.TYPE_PORT_BUSY.equals(type)) {
      return "serial port " + device + " is busy (another program has it open)";
    }
    if (SerialPortException.TYPE_PORT_NOT_FOUND.equals(type)) {
      return "serial port " + device + " does not exist";
    }
    if (SerialPortException.TYPE_PERMISSION_DENIED.equals(type)) {
      return "no permission to open serial port " + device + " (is the user in group dialout?)";
    }
    if (SerialPortException.TYPE_INCORRECT_SERIAL_PORT.equals(type)) {
      return device + " is not a serial port (not a tty)";
    }
    return "cannot open serial port " + device + ": " + type;
  }

  @Override
  public int available() throws IOException {
    try {
      return port.getInputBufferBytesCount();
    } catch (SerialPortException e) {
      throw new IOException(
          "serial port " + port.getPortName() + " failed: " + e.getExceptionType(), e);
    }
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    try {
      byte[] bytes = port.readBytes(length);
      System.arraycopy(bytes, 0, buffer, offset, bytes.length);
      return bytes.length;
    } catch (SerialPortException e) {
      throw new IOException(
          "reading serial port " + port.getPortName() + " failed: " + e.getExceptionType(), e);
    }
  }

  @Override
  public void write(byte[] buffer, int offset, int length) throws IOException {
    byte[] bytes =
        offset == 0 && length == buffer.length
            ? buffer
            : java.util.Arrays.copyOfRange(buffer, offset, offset + length);
    try {
      if (!port.writeBytes(bytes)) {
        throw new IOException("writing serial port " + port.getPortName() + " failed");
      }
    } catch (SerialPortException e) {
      throw new IOException(
          "writing serial port " + port.getPortName() + " failed: " + e.getExceptionType(), e);
    }
  }

  @Override
  public void close() throws IOException {
    try {
      if (port.isOpened()) {
        port.closePort();
      }
    } catch (SerialPortException e) {
      throw new IOException("closing serial port " + port.getPortName() + " failed", e);
    } finally {
      lockChannel.close();
    }
  }
}
