/**
 * Test support the other modules' tests share through kit's test-jar: {@link
 * dev.secdrive.kit.testing.ExternalTool} (a program from the machine, and the one message naming
 * what to install when it is missing), {@link dev.secdrive.kit.testing.PostgresServer} (a throwaway
 * PostgreSQL server as a JUnit 5 extension) and {@link dev.secdrive.kit.testing.ManualScheduler}
 * (time that moves only when a test moves it; STYLE.md, "Firmware is a state machine you can
 * read"). Nothing here is in kit's main jar.
 */
package dev.secdrive.kit.testing;
