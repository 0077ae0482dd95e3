package dev.secdrive.protocol.testing;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Installs {@link LeakRecorder} when the JUnit Platform opens a launcher session, which happens
 * before any test class is loaded and so before Netty creates its buffer leak detector. Registered
 * in {@code META-INF/services/org.junit.platform.launcher.LauncherSessionListener}; every module
 * that has this module's test-jar on its test classpath picks it up.
 */
public final class LeakRecordingSessionListener implements LauncherSessionListener {

  @Override
  public void launcherSessionOpened(LauncherSession session) {
    LeakRecorder.install();
  }
}
